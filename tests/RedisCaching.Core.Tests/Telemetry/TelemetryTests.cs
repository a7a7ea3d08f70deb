using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Telemetry;

/// <summary>
/// The engine's Meter through a plain BCL <see cref="MeterListener"/> (Core has no OpenTelemetry dependency; the
/// Diagnostics tests check the same through the OpenTelemetry SDK), and what a memory hit allocates with and without it.
/// </summary>
[NonParallelizable]
public class TelemetryTests : StandaloneServerFixture
{
    [Test]
    public async Task Requests_sets_and_redis_durations_are_published_with_their_tags_and_never_the_key()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        await using var coherent = await CreateCoherentAsync(Server, Options(Server), name);
        var cache = coherent.Cache;
        using var recorder = new Recorder(name);

        const string key = "user:secret-key-42";
        await cache.GetOrSetAsync(key, "v", static (s, _, _) => ValueTask.FromResult(s));
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await cache.GetOrSetAsync(key, "v", static (s, _, _) => ValueTask.FromResult(s))).Tier, Is.EqualTo(CacheTier.Memory));
        }

        recorder.Listener.RecordObservableInstruments();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(recorder.Last("rediscaching.cache.requests", ("rediscaching.cache.tier", "memory"), ("rediscaching.cache.result", "hit")), Is.EqualTo(5));
            Assert.That(recorder.Last("rediscaching.cache.requests", ("rediscaching.cache.tier", "none"), ("rediscaching.cache.result", "miss")), Is.EqualTo(1));
            Assert.That(recorder.Last("rediscaching.cache.sets"), Is.EqualTo(1));
            Assert.That(recorder.Last("rediscaching.cache.l1.entries"), Is.EqualTo(1));
            Assert.That(recorder.Last("rediscaching.cache.breaker.state"), Is.EqualTo((long)RedisCircuitState.Closed));
            Assert.That(recorder.Count("rediscaching.cache.factory.duration"), Is.EqualTo(1));
            Assert.That(recorder.Count("rediscaching.cache.serialized.size"), Is.EqualTo(1));

            var get = recorder.Measurements.FirstOrDefault(m => m.Instrument == "db.client.operation.duration" && Equals(m.Tag("db.operation.name"), "GET"));
            Assert.That(get, Is.Not.Null, "a Redis GET was timed");
            Assert.That(get!.Tag("db.system.name"), Is.EqualTo("redis"));
            Assert.That(get.Tag("server.address"), Is.EqualTo(Server.Host));
            Assert.That(get.Tag("server.port"), Is.EqualTo(Server.Port));
            Assert.That(get.Tag("error.type"), Is.Null);

            var tagValues = recorder.Measurements.SelectMany(m => m.Tags).Select(t => t.Value?.ToString() ?? string.Empty).ToList();
            Assert.That(tagValues, Is.Not.Empty);
            Assert.That(tagValues.Where(v => v.Contains("secret-key", StringComparison.Ordinal)), Is.Empty, "no tag carries the key");
        }
    }

    [Test]
    public async Task A_failing_factory_is_timed_with_its_error_type()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        await using var coherent = await CreateCoherentAsync(Server, Options(Server), name);
        using var recorder = new Recorder(name);

        Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await coherent.Cache.GetOrSetAsync<string, string>("failing", "v", static (_, _, _) => throw new InvalidOperationException("backend down")));

        var factory = recorder.Measurements.Where(m => m.Instrument == "rediscaching.cache.factory.duration").ToList();
        Assert.That(factory, Has.Count.EqualTo(1));
        Assert.That(factory[0].Tag("error.type"), Is.EqualTo(typeof(InvalidOperationException).FullName));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_memory_hit_allocates_nothing_whether_or_not_the_meter_is_listened_to(bool listening)
    {
        await using var coherent = await CreateCoherentAsync(Server, Options(Server), "alloc-" + listening);
        var cache = coherent.Cache;
        using var recorder = listening ? new Recorder("alloc-" + listening) : null;
        await cache.GetOrSetAsync("hot", "value", static (s, _, _) => ValueTask.FromResult(s));

        var least = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                var hit = cache.GetOrSetAsync("hot", "value", static (s, _, _) => ValueTask.FromResult(s));
                if (!hit.IsCompletedSuccessfully || hit.Result.Tier != CacheTier.Memory)
                {
                    Assert.Fail("every read after the first is a synchronous memory hit");
                }
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        TestContext.Out.WriteLine($"listening={listening}: {least} B for 1000 memory hits (least of 3 rounds)");
        Assert.That(least, Is.Zero);
        if (recorder is not null)
        {
            recorder.Listener.RecordObservableInstruments();
            Assert.That(recorder.Last("rediscaching.cache.requests", ("rediscaching.cache.tier", "memory"), ("rediscaching.cache.result", "hit")), Is.EqualTo(3000), "the listener saw the hits");
        }
    }

    internal sealed record Measured(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public object? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;
    }

    /// <summary>Records the measurements of one cache (by its name tag) from the RedisCaching meter.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly string _cacheName;
        private readonly ConcurrentQueue<Measured> _measurements = new();

        public Recorder(string cacheName)
        {
            _cacheName = cacheName;
            Listener.InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == RedisCachingTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            Listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            Listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
            Listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            Listener.Start();
        }

        public MeterListener Listener { get; } = new();

        public IReadOnlyCollection<Measured> Measurements => _measurements;

        public double? Last(string instrument, params (string Key, string Value)[] tags) =>
            _measurements.LastOrDefault(m => m.Instrument == instrument && tags.All(t => Equals(m.Tag(t.Key), t.Value)))?.Value;

        public int Count(string instrument) => _measurements.Count(m => m.Instrument == instrument);

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // Only this test's cache: other fixtures' caches publish through the same static meter.
            foreach (var tag in tags)
            {
                if (tag.Key == RedisCachingTelemetry.CacheNameTag && Equals(tag.Value, _cacheName))
                {
                    _measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray()));
                    return;
                }
            }
        }

        public void Dispose() => Listener.Dispose();
    }
}
