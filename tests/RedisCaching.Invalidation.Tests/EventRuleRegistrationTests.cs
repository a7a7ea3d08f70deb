using System;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>MapEvent checks each rule when it is registered, so a mistake stops the app at start-up with a message that says what to fix.</summary>
public class EventRuleRegistrationTests
{
    [TestCase("user:{id}:*", "not one of the rule's arguments")]
    [TestCase("user:{id:*", "without its '}'")]
    [TestCase("user:id}:*", "without its '{'")]
    [TestCase("user:{}:*", "malformed placeholder")]
    [TestCase("user:{userId}:*", "'{userId}'")]
    [TestCase("user: {x}", "no cache key holds")]
    [TestCase("user:!{x}", "no cache key holds")]
    public void A_bad_pattern_template_is_refused_with_the_reason(string pattern, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => Builder().MapEvent("requirement.updated", r => r.Arguments("x").Pattern(pattern)));
        Assert.That(error!.Message, Does.Contain(reason).And.Contain("requirement.updated"));
    }

    [Test]
    public void An_undeclared_placeholder_in_a_key_or_tag_is_refused()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Builder().MapEvent("e", r => r.Key("requirement:{id}")), Throws.ArgumentException.With.Message.Contains(".Arguments(\"id\")"));
            Assert.That(() => Builder().MapEvent("e", r => r.Arguments("project").Tag("project:{id}")), Throws.ArgumentException.With.Message.Contains("(project)"));
        }
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("bad/name")]
    public void A_bad_event_name_is_refused(string name) =>
        Assert.That(() => Builder().MapEvent(name, r => r.Tag("t")), Throws.ArgumentException.With.Message.Contains("not a valid event name"));

    [Test]
    public void A_rule_that_invalidates_nothing_or_a_bad_argument_name_is_refused()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Builder().MapEvent("e", r => r.Arguments("id")), Throws.ArgumentException.With.Message.Contains("invalidates nothing"));
            Assert.That(() => Builder().MapEvent("e", r => r.Arguments("i d").Tag("t")), Throws.ArgumentException.With.Message.Contains("not a valid argument name"));
        }
    }

    [Test]
    public void Valid_rules_register_the_publisher_and_literal_braces_are_allowed()
    {
        var builder = Builder()
            .MapEvent("requirement.updated", r => r.Tag("requirements").Arguments("id").Pattern("user:{id}:*"))
            .MapEvent("requirement.updated", r => r.Arguments("id").Key("{{requirement}}:{id}"));
        using var provider = builder.Services.BuildServiceProvider();
        var publisher = provider.GetRequiredService<ICacheEventPublisher>();
        Assert.That(publisher.Channel, Does.EndWith(":!events:v1"));
    }

    private static IRedisCachingBuilder Builder() =>
        new ServiceCollection().AddRedisCaching(o => (o.Redis.ConnectionString, o.Keys.Prefix) = ("127.0.0.1:1,abortConnect=false", "app")).WithoutEnvironmentVariables();
}
