using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedisCaching;
using RedisCaching.Invalidation;
using RedisCaching.Invalidation.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers event rules (<see cref="ICacheEventPublisher"/>) on the <c>AddRedisCaching()</c> builder.</summary>
public static class RedisCachingEventRuleBuilderExtensions
{
    /// <summary>
    /// Maps a domain event to what it invalidates in the main cache:
    /// <c>.MapEvent("requirement.updated", r => r.Arguments("id").Tag("requirements").Pattern("user:{id}:*"))</c>.
    /// The rule is checked here (a bad event name, an undeclared placeholder or a bad pattern throw now, at start-up).
    /// Several rules for one event all run. Also adds <c>AddInvalidation()</c>, and subscribes to
    /// <see cref="ICacheEventPublisher.Channel"/> when the host starts (<c>ValidateOnStart</c>).
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <param name="eventName">The event: letters, digits, <c>. _ - :</c>, at most 200 characters.</param>
    /// <param name="configure">Declares the arguments and the keys, tags and patterns to invalidate.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The event name or the rule is not valid (the message says what to fix).</exception>
    public static IRedisCachingBuilder MapEvent(this IRedisCachingBuilder builder, string eventName, Action<CacheEventRuleBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        if (!CacheEventNames.IsValidEventName(eventName))
        {
            throw new ArgumentException($"'{eventName}' is not a valid event name (letters, digits, '.', '_', '-', ':'; at most {CacheEventNames.MaxNameLength} characters).", nameof(eventName));
        }

        var rule = new CacheEventRuleBuilder();
        configure(rule);
        builder.Services.AddSingleton(rule.Build(eventName));
        builder.AddInvalidation();
        builder.Services.AddOptions<CacheEventListening>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheEventListening>, CacheEventListeningStarter>());
        return builder;
    }
}
