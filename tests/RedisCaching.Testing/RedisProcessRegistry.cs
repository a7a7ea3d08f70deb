using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// Every server process and container the harness started in this test process. Whatever a test forgot to
/// dispose is killed (and its folder removed) when the process exits, so a test run never leaves a redis-server
/// behind; <see cref="RunningProcessIds"/> lets a test assert that nothing is left even before that.
/// </summary>
public static class RedisProcessRegistry
{
    private static readonly ConcurrentDictionary<int, Process> Processes = new();
    private static readonly ConcurrentDictionary<string, byte> Directories = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<object, Func<ValueTask>> Containers = new();

#pragma warning disable CA1810 // The handler must be registered before the first server starts, not lazily.
    static RedisProcessRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUpLeftovers();
    }
#pragma warning restore CA1810

    /// <summary>The pids of the server processes started by the harness that are still alive.</summary>
    public static IReadOnlyCollection<int> RunningProcessIds =>
        Processes.Where(entry => !HasExited(entry.Value)).Select(entry => entry.Key).ToArray();

    /// <summary>How many containers the harness started and has not disposed yet.</summary>
    public static int RunningContainerCount => Containers.Count;

    internal static void Register(Process process) => Processes[process.Id] = process;

    internal static void Unregister(int pid) => Processes.TryRemove(pid, out _);

    internal static void RegisterDirectory(string directory) => Directories[directory] = 0;

    internal static void UnregisterDirectory(string directory) => Directories.TryRemove(directory, out _);

    internal static void RegisterContainer(object container, Func<ValueTask> dispose) => Containers[container] = dispose;

    internal static void UnregisterContainer(object container) => Containers.TryRemove(container, out _);

    /// <summary>Kills every leftover process (SIGCONT first, in case it was paused), removes containers and folders.</summary>
    internal static void CleanUpLeftovers()
    {
        foreach (var (pid, process) in Processes)
        {
            try
            {
                PosixSignal.Send(pid, PosixSignal.Continue);
                if (!HasExited(process))
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        foreach (var dispose in Containers.Values)
        {
            try
            {
                // ProcessExit handlers are synchronous; bound the wait so a hung engine cannot hang the exit.
                dispose().AsTask().Wait(TimeSpan.FromSeconds(10));
            }
#pragma warning disable CA1031 // Best effort at exit: one failing container must not stop the rest.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        foreach (var directory in Directories.Keys)
        {
            TryDeleteDirectory(directory);
        }
    }

    internal static bool TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
