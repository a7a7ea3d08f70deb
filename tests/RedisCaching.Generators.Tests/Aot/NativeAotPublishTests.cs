using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Generators.Tests.Aot;

/// <summary>
/// The QuickStart sample (the cache, the connection layer and a [Cached] service with its generated decorator)
/// published with native AOT: no trimming or AOT warning, and the native binary runs the demo against a real server.
/// </summary>
[Category("NativeAot")]
public sealed class NativeAotPublishTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    [Test]
    public async Task QuickStart_publishes_with_native_AOT_without_warnings_and_the_binary_runs_the_demo()
    {
        RedisAvailability.RequireServer();
        RequireNativeToolchain();
        var root = RepositoryRoot();
        var output = Path.Combine(Path.GetTempPath(), "rediscaching-aot-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // --no-dependencies: the libraries are built already (and may be loaded by other test processes right now).
            var publish = await RunAsync(
                "dotnet",
                ["publish", Path.Combine(root, "samples", "QuickStart", "QuickStart.csproj"), "-c", "Release", "-r", "linux-x64", "--no-dependencies", "-o", output, "-nologo"],
                root,
                PublishTimeout);
            var warnings = publish.Output.Split('\n').Where(static l => l.Contains(" warning IL", StringComparison.Ordinal) || l.Contains(" warning CS", StringComparison.Ordinal)).ToList();
            Assert.That(publish.ExitCode, Is.Zero, publish.Output);
            Assert.That(warnings, Is.Empty, "trimming/AOT warnings in the native publish");

            await using var server = await RedisTestServers.StartAsync(RedisTopology.Standalone);
            var run = await RunAsync(Path.Combine(output, "QuickStart"), [], output, RunTimeout, ("REDIS_URL", $"redis://{server.Host}:{server.Port}"));
            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.Zero, run.Output);
                Assert.That(run.Output, Does.Contain("(from Memory)"), "the memory tier served a hit in the native binary");
                Assert.That(run.Output, Does.Contain("[Cached] GetProductAsync(7) twice -> Kettle 39.90, Kettle 39.90; store read 1 time(s)"));
                Assert.That(run.Output, Does.Contain("QuickStart finished."));
            });
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>Native AOT links with clang and zlib; build/test.sh installs them, like redis-server.</summary>
    private static void RequireNativeToolchain()
    {
        var missing = new[] { "/usr/bin/clang", "/usr/include/zlib.h" }.Where(static p => !File.Exists(p)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var message = $"native AOT needs clang and zlib headers ({string.Join(", ", missing)} missing): apt-get install -y clang zlib1g-dev (build/test.sh does)";
        if (RedisTestEnvironment.FromEnvironmentVariables().IsContinuousIntegration)
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RedisCaching.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RedisCaching.sln not found above " + TestContext.CurrentContext.TestDirectory);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, string workingDirectory, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start " + fileName);
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout}");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
