using System;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;

namespace RedisCaching.Benchmarks;

/// <summary>
/// Marks a suite that needs no Redis server (serialization, compression, encryption). When every <c>--filter</c>
/// selects only such suites, <see cref="Program"/> skips the <c>REDISCACHING_BENCH_REDIS</c> check.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NoRedisAttribute : Attribute
{
    /// <summary>True when the arguments have at least one <c>--filter</c> and each selects benchmarks of <see cref="NoRedisAttribute"/> suites only.</summary>
    public static bool OnlySelected(string[] args, Assembly assembly)
    {
        var filters = args.Select((arg, i) => (arg, i))
            .Where(p => p.arg is "--filter" or "-f")
            .SelectMany(p => args.Skip(p.i + 1).TakeWhile(static a => !a.StartsWith('-')))
            .ToArray();
        if (filters.Length == 0)
        {
            return false;
        }

        var benchmarks = assembly.GetTypes()
            .SelectMany(static t => t.GetMethods().Where(static m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).Select(m => (Type: t, Name: $"{t.FullName}.{m.Name}")))
            .ToArray();

        // BenchmarkDotNet's --filter is a glob over Namespace.Type.Method.
        return filters.All(filter =>
        {
            var glob = new Regex("^" + Regex.Escape(filter).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            var selected = benchmarks.Where(b => glob.IsMatch(b.Name)).ToArray();
            return selected.Length > 0 && selected.All(static b => b.Type.GetCustomAttribute<NoRedisAttribute>() is not null);
        });
    }
}
