using System;
using System.Globalization;

namespace RedisCaching.Internal.Memory;

/// <summary>The fields of one <c>CLIENT LIST</c> line the redirect check needs (<c>id=</c>, <c>name=</c>, <c>flags=</c>, <c>sub=</c>).</summary>
internal readonly record struct ClientListEntry(long Id, string Name, string Flags, int Subscriptions)
{
    /// <summary>A pub/sub connection: flag <c>P</c> or at least one channel subscription.</summary>
    public bool IsSubscriber => Flags.Contains('P', StringComparison.Ordinal) || Subscriptions > 0;

    /// <summary>Parses the first line of a <c>CLIENT LIST</c> reply; null when there is none (the client is gone).</summary>
    public static ClientListEntry? ParseFirst(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply))
        {
            return null;
        }

        var line = reply.AsSpan().Trim();
        var newline = line.IndexOf('\n');
        if (newline >= 0)
        {
            line = line[..newline].TrimEnd('\r');
        }

        long id = -1;
        string name = string.Empty, flags = string.Empty;
        var subscriptions = 0;
        foreach (var range in line.Split(' '))
        {
            var field = line[range];
            var equals = field.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var value = field[(equals + 1)..];
            switch (field[..equals])
            {
                case "id":
                    _ = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out id);
                    break;
                case "name":
                    name = value.ToString();
                    break;
                case "flags":
                    flags = value.ToString();
                    break;
                case "sub":
                    _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out subscriptions);
                    break;
            }
        }

        return id < 0 ? null : new ClientListEntry(id, name, flags, subscriptions);
    }
}
