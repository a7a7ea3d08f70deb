using System;

namespace RedisCaching.Internal;

/// <summary>
/// Whether a server error says a command will never be accepted on this connection (an ACL without it, a renamed or
/// missing command), as opposed to a failure that may pass: the fallbacks (backplane, the lease off, plain writes
/// instead of scripts, GETs instead of MGET) each ask this, plus what is particular to them.
/// </summary>
internal static class CommandRefusal
{
    public static bool IsRefusedForGood(string message) =>
        message.Contains("NOPERM", StringComparison.OrdinalIgnoreCase)
        || message.Contains("unknown command", StringComparison.OrdinalIgnoreCase);
}
