using System;
using System.Text;

namespace RedisCaching.Benchmarks.Resp;

/// <summary>Encodes requests once, up front, so the floor benchmarks measure only the round trip.</summary>
internal static class RespCommands
{
    /// <summary><c>GET key</c>, repeated <paramref name="count"/> times back to back (a pipeline).</summary>
    public static byte[] Get(string key, int count) => Repeat(Encode("GET", Encoding.UTF8.GetBytes(key)), count);

    /// <summary><c>SET key value</c>, repeated <paramref name="count"/> times back to back (a pipeline).</summary>
    public static byte[] Set(string key, byte[] value, int count) =>
        Repeat(Encode("SET", Encoding.UTF8.GetBytes(key), value), count);

    // A RESP array of bulk strings: *<n>\r\n then $<len>\r\n<bytes>\r\n per argument.
    private static byte[] Encode(string command, params byte[][] arguments)
    {
        var builder = new System.IO.MemoryStream();
        WriteAscii(builder, $"*{arguments.Length + 1}\r\n");
        WriteBulk(builder, Encoding.ASCII.GetBytes(command));
        foreach (byte[] argument in arguments)
        {
            WriteBulk(builder, argument);
        }

        return builder.ToArray();
    }

    private static void WriteBulk(System.IO.MemoryStream stream, byte[] bytes)
    {
        WriteAscii(stream, $"${bytes.Length}\r\n");
        stream.Write(bytes);
        WriteAscii(stream, "\r\n");
    }

    private static void WriteAscii(System.IO.MemoryStream stream, string text) =>
        stream.Write(Encoding.ASCII.GetBytes(text));

    private static byte[] Repeat(byte[] one, int count)
    {
        var all = new byte[one.Length * count];
        for (int i = 0; i < count; i++)
        {
            one.CopyTo(all.AsSpan(i * one.Length));
        }

        return all;
    }
}
