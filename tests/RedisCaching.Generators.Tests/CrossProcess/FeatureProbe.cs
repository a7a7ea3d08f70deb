using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Generators.Tests.Integration;

namespace RedisCaching.Generators.Tests.CrossProcess;

/// <summary>
/// One process of the cross-process test: its own <see cref="FeatureStore"/> behind the generated decorator, driven
/// line by line on stdin: <c>get {id}</c> prints <c>feature {name} calls {n}</c> (n = runs of this process's
/// implementation), <c>update {id} {name}</c> prints <c>updated</c>, <c>exit</c> ends it. Prints <c>ready</c> first.
/// </summary>
internal static class FeatureProbe
{
    public const string Verb = "feature-probe";

    /// <summary>Arguments: host port prefix.</summary>
    public static string[] Arguments(string host, int port, string prefix) =>
        [Verb, host, port.ToString(CultureInfo.InvariantCulture), prefix];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> arguments)
    {
        if (arguments.Length != 3)
        {
            await Console.Error.WriteLineAsync("usage: feature-probe host port prefix");
            return 2;
        }

        var args = arguments.ToArray();
        var store = new FeatureStore();
        var services = new ServiceCollection().AddSingleton<IFeatureStore>(store);
        services.AddRedisCaching(o =>
            {
                o.Redis.Host = args[0];
                o.Redis.Port = int.Parse(args[1], CultureInfo.InvariantCulture);
                o.Keys.Prefix = args[2];
                o.RedisTimeout = TimeSpan.FromSeconds(3);
            })
            .WithoutEnvironmentVariables()
            .AddCachedServices();
        await using var provider = services.BuildServiceProvider();
        var features = provider.GetRequiredService<IFeatureStore>();
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 3);
            switch (parts[0])
            {
                case "get":
                    var feature = await features.GetAsync(int.Parse(parts[1], CultureInfo.InvariantCulture), CancellationToken.None);
                    Console.WriteLine($"feature {feature?.Name} calls {store.Calls}");
                    break;
                case "update":
                    await features.UpdateAsync(new Feature(int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]), CancellationToken.None);
                    Console.WriteLine("updated");
                    break;
                case "exit":
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"unknown command '{parts[0]}'");
                    return 2;
            }
        }

        return 0;
    }
}
