using System;
using System.IO;
using System.Linq;

namespace RedisCaching.Testing;

/// <summary>What a failed start reports: the server's own output and log, and its command line.</summary>
internal sealed partial class RedisProcessServer
{
    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 50 && _output.TryDequeue(out _))
        {
        }
    }

    private string LogTail()
    {
        var log = File.Exists(LogFile) ? File.ReadAllLines(LogFile).TakeLast(20) : [];
        return "--- redis-server output ---" + Environment.NewLine
            + string.Join(Environment.NewLine, _output.Concat(log))
            + Environment.NewLine + "--- command line: redis-server " + string.Join(' ', _launch.Arguments.Select(Printable));
    }

    // The random password is not a secret worth hiding, but an error message has no use for it either.
    private string Printable(string argument)
    {
        if (argument.Length == 0)
        {
            return "''";
        }

        return Password is not null && argument.Contains(Password, StringComparison.Ordinal) ? argument.Replace(Password, "***", StringComparison.Ordinal) : argument;
    }
}
