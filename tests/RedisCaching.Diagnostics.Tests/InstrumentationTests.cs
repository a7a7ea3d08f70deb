using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>
/// <c>AddRedisCachingInstrumentation()</c> through the OpenTelemetry SDK and its in-memory exporter, against a real
/// redis-server: names, units, descriptions, tags, and that no key reaches a tag.
/// </summary>
[NonParallelizable]
public class InstrumentationTests : ServerFixture
{
    private const string Key = "order:4711:secret-part";

    /// <summary>Every instrument the README lists, with its unit.</summary>
    private static readonly Dictionary<string, string> Units = new()
    {
        ["rediscaching.cache.requests"] = "{request}",
        ["rediscaching.cache.sets"] = "{entry}",
        ["rediscaching.cache.removals"] = "{entry}",
        ["rediscaching.cache.invalidations"] = "{message}",
        ["rediscaching.cache.fail_safe.activations"] = "{activation}",
        ["rediscaching.cache.factory.duration"] = "s",
        ["rediscaching.cache.serialized.size"] = "By",
        ["rediscaching.cache.l1.entries"] = "{entry}",
        ["rediscaching.cache.l1.bytes"] = "By",
        ["rediscaching.cache.l1.evictions"] = "{entry}",
        ["rediscaching.cache.breaker.state"] = "{state}",
        ["rediscaching.cache.compression.ratio"] = "1",
        ["db.client.operation.duration"] = "s",
    };

    [Test]
    public async Task Metrics_have_their_names_units_descriptions_and_tags_and_no_key()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddRedisCachingInstrumentation().AddInMemoryExporter(exported).Build();
        await using var host = await CacheHost.StartAsync(Server);

        await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s));
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s))).Tier, Is.EqualTo(CacheTier.Memory));
        }

        await host.Cache.RemoveAsync(Key);

        // 8 KB of one repeated character: gzip shrinks it to a few dozen bytes.
        await host.Cache.SetAsync(Key + ":big", new string('a', 8192), new CacheEntryOptions { Compression = "gzip" });
        Assert.That(meters.ForceFlush(), Is.True);

        var ours = Latest(exported);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, unit) in Units)
            {
                Assert.That(ours.TryGetValue(name, out var metric), Is.True, $"{name} was exported");
                Assert.That(metric?.Unit, Is.EqualTo(unit), $"{name}'s unit");
                Assert.That(metric?.Description, Is.Not.Empty, $"{name}'s description");
            }

            Assert.That(SumOf(ours["rediscaching.cache.requests"], host.Name, ("rediscaching.cache.tier", "memory"), ("rediscaching.cache.result", "hit")), Is.EqualTo(5));
            Assert.That(SumOf(ours["rediscaching.cache.requests"], host.Name, ("rediscaching.cache.tier", "none"), ("rediscaching.cache.result", "miss")), Is.EqualTo(1));
            Assert.That(SumOf(ours["rediscaching.cache.sets"], host.Name), Is.EqualTo(2));
            var ratio = ours["rediscaching.cache.compression.ratio"].MetricPoints.Single(p => Equals(Tags(p).GetValueOrDefault(RedisCachingTelemetry.CacheNameTag), host.Name));
            Assert.That(Tags(ratio)[RedisCachingTelemetry.CompressorTag], Is.EqualTo("gzip"));
            Assert.That(ratio.GetHistogramCount(), Is.EqualTo(1));
            Assert.That(ratio.GetHistogramSum(), Is.GreaterThan(0).And.LessThan(0.1), "8 KB of one character compresses to under a tenth");
            Assert.That(SumOf(ours["rediscaching.cache.removals"], host.Name), Is.EqualTo(1));
            Assert.That(ours["rediscaching.cache.factory.duration"].MetricPoints.Where(p => Tags(p).Contains(new(RedisCachingTelemetry.CacheNameTag, host.Name))).Sum(p => p.GetHistogramCount()), Is.EqualTo(1));

            var redisPoints = ours["db.client.operation.duration"].MetricPoints.Where(p => Tags(p).Contains(new(RedisCachingTelemetry.CacheNameTag, host.Name))).ToList();
            Assert.That(redisPoints.Select(p => Tags(p)["db.operation.name"]), Is.SupersetOf(new[] { "GET", "SET", "DEL" }));
            foreach (var point in redisPoints)
            {
                var tags = Tags(point);
                Assert.That(tags["db.system.name"], Is.EqualTo("redis"));
                Assert.That(tags["server.address"], Is.EqualTo(Server.Host));
                Assert.That(tags["server.port"], Is.EqualTo(Server.Port));
            }

            var tagValues = ours.Values.SelectMany(m => m.MetricPoints).SelectMany(p => Tags(p).Values).Select(v => v?.ToString() ?? string.Empty).ToList();
            Assert.That(tagValues, Has.Some.EqualTo(host.Name), "the cache's own series are among the exported ones");
            Assert.That(tagValues.Where(v => v.Contains("secret-part", StringComparison.Ordinal) || v.Contains("4711", StringComparison.Ordinal)), Is.Empty, "no tag carries the key");
        }
    }

    [Test]
    public async Task Without_the_instrumentation_nothing_of_the_cache_is_exported()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddInMemoryExporter(exported).Build();
        await using var host = await CacheHost.StartAsync(Server);
        await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s));
        meters.ForceFlush();
        Assert.That(exported.Select(m => m.Name), Has.None.StartsWith("rediscaching.").And.None.EqualTo("db.client.operation.duration"));
    }

    [Test]
    public async Task Get_or_set_spans_carry_the_tier_that_answered_and_the_factory_is_a_child_span()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddRedisCachingInstrumentation().AddInMemoryExporter(spans).Build();
        await using var host = await CacheHost.StartAsync(Server);

        await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s));
        Assert.That((await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s))).Tier, Is.EqualTo(CacheTier.Memory));
        var fromRedis = await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s), new CacheEntryOptions { Skip = CacheSkip.Memory });
        Assert.That(fromRedis.Tier, Is.EqualTo(CacheTier.Redis));
        tracer.ForceFlush();

        var ours = spans.Where(s => Equals(s.GetTagItem(RedisCachingTelemetry.CacheNameTag), host.Name)).ToList();
        var getOrSets = ours.Where(s => s.OperationName == RedisCachingTelemetry.GetOrSetActivityName).ToList();
        var factories = ours.Where(s => s.OperationName == RedisCachingTelemetry.FactoryActivityName).ToList();
        using (Assert.EnterMultipleScope())
        {
            // The memory hit in between is no span (RedisCaching.MemoryHits is not listened to).
            Assert.That(getOrSets.Select(s => s.GetTagItem(RedisCachingTelemetry.TierTag)), Is.EqualTo(new[] { "factory", "redis" }));
            Assert.That(getOrSets.Select(s => s.GetTagItem(RedisCachingTelemetry.ResultTag)), Is.EqualTo(new[] { "miss", "hit" }));
            Assert.That(factories, Has.Count.EqualTo(1));
            Assert.That(factories.Single().ParentSpanId, Is.EqualTo(getOrSets[0].SpanId), "the factory span is a child of the miss's get-or-set span");
            Assert.That(ours.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? string.Empty), Has.None.Contains("secret-part"), "no span tag carries the key");
            Assert.That(ours.Select(s => s.DisplayName), Has.None.Contains("secret-part"));
        }
    }

    [Test]
    public async Task Try_get_spans_carry_the_tier_that_answered_or_a_miss()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddRedisCachingInstrumentation().AddInMemoryExporter(spans).Build();
        await using var host = await CacheHost.StartAsync(Server);

        Assert.That((await host.Cache.TryGetAsync<string>(Key)).HasValue, Is.False);
        await host.Cache.SetAsync(Key, "value");
        Assert.That((await host.Cache.TryGetAsync<string>(Key, new CacheEntryOptions { Skip = CacheSkip.Memory })).Tier, Is.EqualTo(CacheTier.Redis));
        Assert.That((await host.Cache.TryGetAsync<string>(Key)).Tier, Is.EqualTo(CacheTier.Memory));
        tracer.ForceFlush();

        var tryGets = spans.Where(s => Equals(s.GetTagItem(RedisCachingTelemetry.CacheNameTag), host.Name) && s.OperationName == RedisCachingTelemetry.TryGetActivityName).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tryGets.Select(s => s.GetTagItem(RedisCachingTelemetry.TierTag)), Is.EqualTo(new[] { "none", "redis" }), "the memory hit is no span");
            Assert.That(tryGets.Select(s => s.GetTagItem(RedisCachingTelemetry.ResultTag)), Is.EqualTo(new[] { "miss", "hit" }));
            Assert.That(tryGets.Select(s => s.Source.Name), Is.All.EqualTo(RedisCachingTelemetry.ActivitySourceName));
            Assert.That(tryGets.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? string.Empty), Has.None.Contains("secret-part"), "no span tag carries the key");
        }
    }

    [Test]
    public async Task Spans_the_sampler_drops_get_no_tags_and_still_nest()
    {
        // A sampler that drops the cache's spans, as a ratio sampler does for most: the listener asks only for
        // propagation data, the way OpenTelemetry's SDK answers for a dropped span. Only spans under this test's own
        // root are looked at (other fixtures run in parallel and their spans reach this listener too).
        using var testSource = new ActivitySource("RedisCaching.Diagnostics.Tests.Sampling");
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RedisCachingTelemetry.ActivitySourceName || source == testSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Source == testSource ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData,
            ActivityStopped = activity =>
            {
                lock (stopped)
                {
                    stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await CacheHost.StartAsync(Server);

        ActivityTraceId traceId;
        using (var root = testSource.StartActivity("test root"))
        {
            traceId = root!.TraceId;
            Assert.That((await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s))).Tier, Is.EqualTo(CacheTier.Factory));
            Assert.That((await host.Cache.TryGetAsync<string>(Key, new CacheEntryOptions { Skip = CacheSkip.Memory })).Tier, Is.EqualTo(CacheTier.Redis));
        }

        List<Activity> ours;
        lock (stopped)
        {
            ours = [.. stopped.Where(a => a.TraceId == traceId && a.Source.Name == RedisCachingTelemetry.ActivitySourceName)];
        }

        var getOrSet = ours.Single(a => a.OperationName == RedisCachingTelemetry.GetOrSetActivityName);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ours.Select(a => a.OperationName), Is.EquivalentTo(new[] { RedisCachingTelemetry.GetOrSetActivityName, RedisCachingTelemetry.FactoryActivityName, RedisCachingTelemetry.TryGetActivityName }));
            Assert.That(ours.Select(a => a.IsAllDataRequested), Is.All.False, "the listener asked for propagation only");
            Assert.That(ours.SelectMany(a => a.TagObjects), Is.Empty, "a dropped span is not tagged: nobody reads its tags");
            Assert.That(ours.Single(a => a.OperationName == RedisCachingTelemetry.FactoryActivityName).ParentSpanId, Is.EqualTo(getOrSet.SpanId), "the factory's span still nests under the get-or-set span");
        }
    }

    [Test]
    public async Task Memory_hits_are_spans_of_their_own_source_when_asked_for()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddRedisCachingInstrumentation(includeMemoryHits: true).AddInMemoryExporter(spans).Build();
        await using var host = await CacheHost.StartAsync(Server);

        await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s));
        Assert.That((await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s))).Tier, Is.EqualTo(CacheTier.Memory));
        Assert.That((await host.Cache.TryGetAsync<string>(Key)).Tier, Is.EqualTo(CacheTier.Memory));
        tracer.ForceFlush();

        var hits = spans.Where(s => Equals(s.GetTagItem(RedisCachingTelemetry.CacheNameTag), host.Name) && s.Source.Name == RedisCachingTelemetry.MemoryHitsActivitySourceName).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hits.Select(s => s.OperationName), Is.EqualTo(new[] { RedisCachingTelemetry.GetOrSetActivityName, RedisCachingTelemetry.TryGetActivityName }));
            Assert.That(hits.Select(s => s.GetTagItem(RedisCachingTelemetry.TierTag)), Is.All.EqualTo("memory"));
            Assert.That(hits.Select(s => s.GetTagItem(RedisCachingTelemetry.ResultTag)), Is.All.EqualTo("hit"));
        }
    }

    [Test]
    public async Task A_memory_hit_allocates_nothing_with_the_OpenTelemetry_providers_listening()
    {
        var exportedSpans = new List<Activity>();
        var exportedMetrics = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddRedisCachingInstrumentation().AddInMemoryExporter(exportedMetrics).Build();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddRedisCachingInstrumentation().AddInMemoryExporter(exportedSpans).Build();
        await using var host = await CacheHost.StartAsync(Server);
        await host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s));

        // Least of 3 rounds of 1,000 get-or-set and 1,000 try-get hits each, after a warm-up round (JIT, first-call
        // caches): allocations on this thread only, so the providers' own threads do not count.
        var least = long.MaxValue;
        for (var round = 0; round < 4; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                var hit = host.Cache.GetOrSetAsync(Key, "value", static (s, _, _) => ValueTask.FromResult(s));
                var read = host.Cache.TryGetAsync<string>(Key);
                if (!hit.IsCompletedSuccessfully || hit.Result.Tier != CacheTier.Memory || !read.IsCompletedSuccessfully || read.Result.Tier != CacheTier.Memory)
                {
                    Assert.Fail("every read after the first is a synchronous memory hit");
                }
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round > 0)
            {
                least = Math.Min(least, allocated);
            }
        }

        TestContext.Out.WriteLine($"{least} B for 1,000 get-or-set and 1,000 try-get memory hits with a MeterProvider and a TracerProvider listening (least of 3 rounds)");
        Assert.That(least, Is.Zero);
        meters.ForceFlush();
        var requests = exportedMetrics.Last(m => m.Name == "rediscaching.cache.requests");
        Assert.That(SumOf(requests, host.Name, ("rediscaching.cache.tier", "memory"), ("rediscaching.cache.result", "hit")), Is.EqualTo(8000), "the meter provider saw the hits");
    }

    /// <summary>The last export of each metric (observable counters are cumulative, so the last one holds the totals).</summary>
    private static Dictionary<string, MetricSnapshot> Latest(List<MetricSnapshot> exported)
    {
        var latest = new Dictionary<string, MetricSnapshot>();
        foreach (var metric in exported)
        {
            latest[metric.Name] = metric;
        }

        return latest;
    }

    private static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    private static long SumOf(MetricSnapshot metric, string cacheName, params (string Key, string Value)[] tags) =>
        metric.MetricPoints
            .Where(p => Equals(Tags(p).GetValueOrDefault(RedisCachingTelemetry.CacheNameTag), cacheName)
                        && tags.All(t => Equals(Tags(p).GetValueOrDefault(t.Key), t.Value)))
            .Sum(p => p.GetSumLong());
}
