using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Load.Invalidation;

/// <summary>
/// The other clients: callers that each GET a random key the pattern does not match, one at a time, on their own
/// multiplexer, recording every latency into the histogram of the current phase (warm-up, before, during). Switching
/// the phase is one volatile write; each caller has its own histograms, merged at the end.
/// </summary>
internal sealed class GetLoad(IDatabase database, string prefix, int keyCount, int callers)
{
    public const int WarmUp = 0;
    public const int BeforePhase = 1;
    public const int DuringPhase = 2;
    private const int Done = 3;

    private readonly LatencyHistogram[][] _histograms = CreateHistograms(callers);
    private int _phase;
    private Task[] _tasks = [];

    public void Start()
    {
        _tasks = new Task[callers];
        for (int i = 0; i < callers; i++)
        {
            int caller = i;
            _tasks[i] = Task.Run(() => RunAsync(caller));
        }
    }

    public void Enter(int phase) => Volatile.Write(ref _phase, phase);

    public async Task StopAsync()
    {
        Volatile.Write(ref _phase, Done);
        await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The merged histogram of a phase.</summary>
    public LatencyHistogram Of(int phase)
    {
        var merged = new LatencyHistogram();
        foreach (var perCaller in _histograms)
        {
            merged.Add(perCaller[phase]);
        }

        return merged;
    }

    private async Task RunAsync(int caller)
    {
        var random = new Random(caller);
        var keys = new RedisKey[1024];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = prefix + random.Next(keyCount).ToString(CultureInfo.InvariantCulture);
        }

        int next = 0;
        while (true)
        {
            int phase = Volatile.Read(ref _phase);
            if (phase == Done)
            {
                return;
            }

            long started = Stopwatch.GetTimestamp();
            try
            {
                await database.StringGetAsync(keys[next++ & 1023]);
                _histograms[caller][phase].Record(Stopwatch.GetTimestamp() - started);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _histograms[caller][phase].RecordError();
            }
        }
    }

    private static LatencyHistogram[][] CreateHistograms(int callers)
    {
        var all = new LatencyHistogram[callers][];
        for (int i = 0; i < callers; i++)
        {
            all[i] = [new(), new(), new()];
        }

        return all;
    }
}
