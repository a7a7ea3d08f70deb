using System;
using System.Net;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks;

/// <summary>Where the benchmarks find their Redis server, and how they connect to it.</summary>
internal static class BenchEndpoint
{
    public const string Variable = "REDISCACHING_BENCH_REDIS";

    /// <summary>Reads <see cref="Variable"/>. BenchmarkDotNet runs each benchmark in a child process that
    /// inherits the environment, which is why the endpoint travels in a variable and not an argument.</summary>
    public static IPEndPoint FromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set. Point it at a throwaway Redis server on this machine, e.g. "
                + $"{Variable}=127.0.0.1:6390, or use benchmarks/run.sh, which starts one and sets it.");
        }

        return Parse(value);
    }

    /// <summary>Parses host:port. Only loopback is accepted: these loops send as much traffic as they can, and
    /// must never aim it at a shared server by mistake.</summary>
    public static IPEndPoint Parse(string value)
    {
        string text = value.Trim();
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            text = string.Concat("127.0.0.1", text.AsSpan("localhost".Length));
        }

        if (!IPEndPoint.TryParse(text, out IPEndPoint? endpoint) || endpoint.Port == 0)
        {
            throw new InvalidOperationException($"'{value}' is not host:port (e.g. 127.0.0.1:6390).");
        }

        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            throw new InvalidOperationException(
                $"'{value}' is not a loopback address: the benchmarks only send traffic to 127.0.0.1 / ::1.");
        }

        return endpoint;
    }

    /// <summary>Library defaults (RESP3, two sockets), except that a failed connect fails the run at once.</summary>
    public static ConfigurationOptions ClientOptions(IPEndPoint endpoint, string clientName) => new()
    {
        EndPoints = { endpoint },
        AbortOnConnectFail = true,
        ClientName = clientName,
    };
}
