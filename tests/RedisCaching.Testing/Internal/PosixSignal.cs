using System.Runtime.InteropServices;

namespace RedisCaching.Testing;

/// <summary>
/// Sends signals by pid. .NET can only SIGKILL a process (<c>Process.Kill</c>); pausing a server needs SIGSTOP and
/// SIGCONT, and a clean stop SIGTERM (redis-server shuts down on it without saving when <c>save ''</c>).
/// </summary>
internal static partial class PosixSignal
{
    // Linux numbering (x86-64 and arm64 alike).
    public const int Term = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is gone.</summary>
    public static bool Send(int pid, int signal) => NativeMethods.Kill(pid, signal) == 0;

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int sig);
    }
}
