using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace RedisCaching.Benchmarks.PayloadPath;

/// <summary>
/// The small order (~240 B as JSON, ~100 B as MessagePack): below the 1 KiB compression threshold, so every codec
/// stores it uncompressed (the setup's byte counts show it) and only serializer x encryption is measured: 4 cache
/// cases and the two raw baselines (see <see cref="PayloadPathBenchmarkBase"/>).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PayloadPathSmallBenchmarks : PayloadPathBenchmarkBase
{
    protected override string Size => "small";
}
