using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>Runs the reference <c>zstd</c>/<c>lz4</c> tools as filters (stdin to stdout); tests using them are ignored where the tool is missing.</summary>
public static class CommandLineTool
{
    public static string RequireOrIgnore(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Ignore($"The '{name}' command-line tool is not installed (apt-get install {name}); this cross-check needs it.");
        return name;
    }

    public static async Task<byte[]> FilterAsync(string tool, byte[] input, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(output);
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(input);
        process.StandardInput.Close();
        await copyOut;
        string stderr = await errors;
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{tool} {string.Join(' ', arguments)} failed: {stderr}");
        return output.ToArray();
    }
}
