using System;
using NUnit.Framework;
using NUnit.Framework.Internal;

namespace RedisCaching.Testing.Tests;

public sealed class RedisAvailabilityTests
{
    private static readonly RedisTestEnvironment NoServer = new() { RedisServerExecutable = null, ExternalConfiguration = null };

    [Test]
    public void Missing_server_under_CI_fails_with_an_actionable_message()
    {
        // Assert.Fail records the failure in the current result: run it in an isolated context so only the
        // exception reaches this test.
        AssertionException? failure;
        using (new TestExecutionContext.IsolatedContext())
        {
            failure = Assert.Throws<AssertionException>(() => RedisAvailability.RequireServer(NoServer with { IsContinuousIntegration = true }));
        }

        Assert.That(failure!.Message, Does.Contain("apt-get update && apt-get install -y redis-server redis-sentinel redis-tools")
            .And.Contain("REDISCACHING_TEST_REDIS=host:port"));
    }

    [Test]
    public void Missing_server_locally_ignores_the_test_with_the_same_message()
    {
        var ignored = Assert.Throws<IgnoreException>(() => RedisAvailability.RequireServer(NoServer with { IsContinuousIntegration = false }));

        Assert.That(ignored.Message, Is.EqualTo(RedisAvailability.MissingServerMessage(NoServer)));
    }

    [Test]
    public void An_external_server_or_a_local_executable_is_enough()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RedisAvailability.MissingServerMessage(NoServer with { ExternalConfiguration = "127.0.0.1:6379" }), Is.Null);
            Assert.That(RedisAvailability.MissingServerMessage(NoServer with { RedisServerExecutable = "/usr/bin/redis-server" }), Is.Null);
            Assert.That(() => RedisAvailability.RequireServer(NoServer with { RedisServerExecutable = "/usr/bin/redis-server", IsContinuousIntegration = true }), Throws.Nothing);
        }
    }

    [Test]
    public void A_password_topology_without_a_local_executable_is_ignored_even_with_an_external_server()
    {
        var environment = NoServer with { ExternalConfiguration = "127.0.0.1:6379", Mode = RedisTestServerMode.Process };

        Assert.That(() => new RedisTestServerFactory(environment).StartAsync(RedisTopology.Password),
            Throws.InstanceOf<IgnoreException>().With.Message.Contains("Password"));
    }

    [TestCase(null, RedisTestServerMode.Auto)]
    [TestCase("", RedisTestServerMode.Auto)]
    [TestCase("auto", RedisTestServerMode.Auto)]
    [TestCase("Process", RedisTestServerMode.Process)]
    [TestCase(" container ", RedisTestServerMode.Container)]
    public void Server_mode_is_read_from_the_variable(string? value, RedisTestServerMode expected) =>
        Assert.That(RedisTestEnvironment.ParseMode(value), Is.EqualTo(expected));

    [Test]
    public void An_unknown_server_mode_is_rejected() =>
        Assert.That(() => RedisTestEnvironment.ParseMode("docker"), Throws.ArgumentException.With.Message.Contains("auto, process or container"));

    [Test]
    public void The_key_prefix_is_unique_and_allowed_by_the_acl_topology()
    {
        var first = RedisTestKeys.NewPrefix("t");
        var second = RedisTestKeys.NewPrefix("t");

        Assert.That(first, Does.StartWith(RedisTopology.AclUser.AllowedKeyPrefix).And.Not.EqualTo(second));
        Assert.That(RedisTopology.AclUser.AllowedKeyPrefix, Is.EqualTo("app:"));
        Assert.That(Array.IndexOf([.. RedisTopology.All], RedisTopology.TlsClientCertificate), Is.GreaterThanOrEqualTo(0));
    }
}
