using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Load;

/// <summary>The <c>--name value</c> argument walk and the number parsing the load modes share.</summary>
public static class CommandLineOptions
{
    /// <summary>Parses a mode's arguments (a span, so a plain Func does not fit).</summary>
    public delegate T Parser<out T>(ReadOnlySpan<string> args);

    /// <summary>
    /// Parses <paramref name="args"/>; on a bad argument prints the message and the usage (exit code 2), on
    /// -h/--help prints the usage (exit code 0). Options are returned only when the mode should run.
    /// </summary>
    public static async Task<(T? Options, int ExitCode)> ParseAsync<T>(ReadOnlyMemory<string> args, Parser<T> parse, string usage, Func<T, bool> wantsHelp)
        where T : class
    {
        T options;
        try
        {
            options = parse(args.Span);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + usage);
            return (null, 2);
        }

        if (wantsHelp(options))
        {
            Console.WriteLine(usage);
            return (null, 0);
        }

        return (options, 0);
    }

    /// <summary>Calls <paramref name="apply"/> for each <c>--name value</c> pair and <paramref name="help"/> for -h/--help.</summary>
    /// <exception cref="ArgumentException">A name without a value, or a name <paramref name="apply"/> does not know (it returned false).</exception>
    public static void Walk(ReadOnlySpan<string> args, Action help, Func<string, string, bool> apply)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                help();
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            if (!apply(name, args[++i]))
            {
                throw new ArgumentException($"Unknown option {name}.");
            }
        }
    }

    /// <summary>A number of at least <paramref name="minimum"/>, or an error naming the option.</summary>
    public static double Number(string name, string text, double minimum) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && number >= minimum
            ? number
            : throw new ArgumentException($"{name}: '{text}' is not a number >= {minimum}.");

    /// <summary>A comma-separated list of whole numbers of at least 1.</summary>
    public static int[] Integers(string name, string value)
    {
        int[] numbers = [.. value.Split(',').Select(part => (int)Number(name, part, 1))];
        return numbers.Length > 0 ? numbers : throw new ArgumentException($"{name} needs at least one value.");
    }
}
