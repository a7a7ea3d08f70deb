using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>The shared server as tests see it: usable, but not theirs to stop or dispose.</summary>
internal sealed class SharedRedisTestServer(IRedisTestServer inner) : IRedisTestServer
{
    public IRedisTestServer Inner { get; } = inner;

    public string Host => Inner.Host;

    public int Port => Inner.Port;

    public string Kind => Inner.Kind;

    public RedisTopology Topology => Inner.Topology;

    public bool UsesTls => Inner.UsesTls;

    public string? User => Inner.User;

    public string? Password => Inner.Password;

    public string ConfigurationString => Inner.ConfigurationString;

    public RedisTestTls? Tls => Inner.Tls;

    public int? ProcessId => Inner.ProcessId;

    public ConfigurationOptions CreateConfigurationOptions() => Inner.CreateConfigurationOptions();

    public Task StopAsync() => throw Shared();

    public Task RestartAsync() => throw Shared();

    public Task PauseAsync() => throw Shared();

    public Task ResumeAsync() => throw Shared();

    public Task<string> RunCliAsync(params string[] args) => Inner.RunCliAsync(args);

    // Other fixtures still use it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override string ToString() => "shared " + Inner;

    private static InvalidOperationException Shared() =>
        new("The shared server is used by other fixtures: start your own with RedisTestServers.StartAsync to stop, restart or pause it.");
}
