using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// A server the harness neither starts nor stops (<c>REDISCACHING_TEST_REDIS</c>): <c>host:port</c> or a full
/// StackExchange.Redis configuration string. Disposing it does nothing to the server.
/// </summary>
internal sealed class ExternalRedisServer : RedisTestServerBase
{
    private readonly string _configuration;

    private ExternalRedisServer(string configuration, ConfigurationOptions parsed, string host, int port)
        : base(RedisTopology.Standalone, parsed.User, parsed.Password, tls: null)
    {
        _configuration = configuration;
        Host = host;
        Port = port;
        UsesTls = parsed.Ssl;
    }

    public override string Host { get; }

    public override int Port { get; }

    public override string Kind => RedisTestServerKinds.External;

    public override bool UsesTls { get; }

    public override string ConfigurationString => _configuration;

    public static ExternalRedisServer Create(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var parsed = ConfigurationOptions.Parse(configuration);
        if (!configuration.Contains("abortConnect", StringComparison.OrdinalIgnoreCase))
        {
            configuration += ",abortConnect=false";
        }

        var (host, port) = parsed.EndPoints.FirstOrDefault() switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port == 0 ? 6379 : dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port == 0 ? 6379 : ip.Port),
            _ => throw new ArgumentException($"REDISCACHING_TEST_REDIS names no endpoint: '{configuration}'.", nameof(configuration)),
        };
        return new ExternalRedisServer(configuration, parsed, host, port);
    }

    public override ConfigurationOptions CreateConfigurationOptions() => ConfigurationOptions.Parse(_configuration);

    public override Task StopAsync() => throw NotOurs("stopped");

    public override Task RestartAsync() => throw NotOurs("restarted");

    public override Task PauseAsync() => throw NotOurs("paused");

    public override Task ResumeAsync() => throw NotOurs("resumed");

    public override Task<string> RunCliAsync(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var arguments = new List<string> { "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture) };
        arguments.AddRange(CliCredentialArguments(null));
        if (UsesTls)
        {
            // No test CA for a server we did not make: encrypt, but do not verify.
            arguments.AddRange(["--tls", "--insecure"]);
        }

        arguments.AddRange(args);
        return CommandRunner.RunAsync(RedisExecutables.RequireCli(), arguments, TimeSpan.FromSeconds(10));
    }

    private static NotSupportedException NotOurs(string what) =>
        new($"An external server (REDISCACHING_TEST_REDIS) cannot be {what} by the tests; use RedisFeature.ServerControl to skip such tests.");
}
