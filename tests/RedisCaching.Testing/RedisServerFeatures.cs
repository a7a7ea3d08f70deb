using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// "Does this server support X?" for tests that run against whatever server they are given (notably an external
/// one): <see cref="RequireAsync"/> ignores the test with the reason when it does not. Answers are cached per
/// server and feature.
/// </summary>
public static class RedisServerFeatures
{
    private static readonly ConcurrentDictionary<(string Configuration, RedisFeature Feature), Task<string?>> Cache = new();

    /// <summary>Whether <paramref name="server"/> supports <paramref name="feature"/>.</summary>
    public static async Task<bool> SupportsAsync(IRedisTestServer server, RedisFeature feature) =>
        await GetMissingReasonAsync(server, feature).ConfigureAwait(false) is null;

    /// <summary>Ignores the current test (<see cref="Assert.Ignore(string)"/>) when <paramref name="server"/> lacks <paramref name="feature"/>.</summary>
    public static async Task RequireAsync(IRedisTestServer server, RedisFeature feature)
    {
        var reason = await GetMissingReasonAsync(server, feature).ConfigureAwait(false);
        if (reason is not null)
        {
            Assert.Ignore(reason);
        }
    }

    /// <summary>Why <paramref name="server"/> lacks <paramref name="feature"/>, or null when it has it.</summary>
    public static Task<string?> GetMissingReasonAsync(IRedisTestServer server, RedisFeature feature)
    {
        ArgumentNullException.ThrowIfNull(server);
        return feature switch
        {
            RedisFeature.ServerControl => Task.FromResult(server.Kind is RedisTestServerKinds.Process or RedisTestServerKinds.Container
                ? null
                : $"The {server.Kind} server {server.Host}:{server.Port} cannot be stopped or restarted by the tests."),
            RedisFeature.PauseResume => Task.FromResult(server.Kind == RedisTestServerKinds.Process
                ? null
                : $"Only a process server can be paused; this one is {server.Kind}."),
            _ => Cache.GetOrAdd((server.ConfigurationString, feature), key => ProbeAsync(server, key.Feature)),
        };
    }

    private static async Task<string?> ProbeAsync(IRedisTestServer server, RedisFeature feature)
    {
        var options = server.CreateConfigurationOptions();
        // CLIENT subcommands need allowAdmin; RESP2 so tracking may redirect to our own connection.
        options.AllowAdmin = true;
        options.Protocol = RedisProtocol.Resp2;
        options.ConnectTimeout = 5000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        var db = connection.GetDatabase();
        try
        {
            switch (feature)
            {
                case RedisFeature.ClientTracking:
                    var id = (long)await db.ExecuteAsync("CLIENT", "ID").ConfigureAwait(false);
                    await db.ExecuteAsync("CLIENT", "TRACKING", "ON", "REDIRECT", id).ConfigureAwait(false);
                    await db.ExecuteAsync("CLIENT", "TRACKING", "OFF").ConfigureAwait(false);
                    break;
                case RedisFeature.Acl:
                    await db.ExecuteAsync("ACL", "WHOAMI").ConfigureAwait(false);
                    break;
                case RedisFeature.Scripting:
                    await db.ScriptEvaluateAsync("return 1").ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(feature), feature, null);
            }

            return null;
        }
        catch (RedisServerException ex)
        {
            return $"The {server.Kind} server {server.Host}:{server.Port} does not support {feature}: {ex.Message}";
        }
    }
}
