using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// Proves an adapter does what the benchmarks assume before anything is timed: a benchmark of a call that silently
/// does nothing (a miss read as a hit, a tag removal that removes nothing) would be fast for the wrong reason.
/// </summary>
public static class PeerCheck
{
    private static int s_run;

    /// <summary>Throws <see cref="InvalidOperationException"/> saying what failed.</summary>
    public static async Task RunAsync(ICacheUnderTest peer)
    {
        string prefix = $"bench:check:{peer.Name}:{Environment.ProcessId}:{Interlocked.Increment(ref s_run)}:";
        BenchRecord record = BenchRecord.Create(42, 1);

        await peer.SetAsync(prefix + "a", record);
        Expect(peer, "TryGet after Set", (await peer.TryGetAsync<BenchRecord>(prefix + "a")).Value == record);
        if (peer.Features.HasFlag(PeerFeatures.DistributedTier))
        {
            Expect(peer, "TryGetFromL2 after Set", (await peer.TryGetFromL2Async<BenchRecord>(prefix + "a")).Value == record);
            Expect(peer, "TryGetFromL2 of a missing key", !(await peer.TryGetFromL2Async<BenchRecord>(prefix + "missing")).Found);
        }

        Expect(peer, "TryGet of a missing key", !(await peer.TryGetAsync<BenchRecord>(prefix + "missing")).Found);
        int calls = 0;
        BenchRecord created = await peer.GetOrSetAsync(prefix + "b", (_, _) => { calls++; return ValueTask.FromResult(record); });
        BenchRecord again = await peer.GetOrSetAsync(prefix + "b", (_, _) => { calls++; return ValueTask.FromResult(record); });
        Expect(peer, "GetOrSet runs the factory once", calls == 1 && created == record && again == record);
        string text = await peer.GetOrSetAsync(prefix + "s", static (_, _) => ValueTask.FromResult("hello"));
        Expect(peer, "string round trip", text == "hello" && (await peer.TryGetAsync<string>(prefix + "s")).Value == "hello");

        await peer.RemoveAsync(prefix + "a");
        Expect(peer, "TryGet after Remove", !(await peer.TryGetAsync<BenchRecord>(prefix + "a")).Found);

        if (peer.Features.HasFlag(PeerFeatures.Tags))
        {
            string[] tags = [prefix + "tag"];
            for (int i = 0; i < 10; i++)
            {
                await peer.SetAsync(prefix + "t" + i, record, tags);
            }

            Expect(peer, "TryGet of a tagged entry", (await peer.TryGetAsync<BenchRecord>(prefix + "t3")).Found);
            await peer.RemoveByTagAsync(tags[0]);
            for (int i = 0; i < 10; i++)
            {
                Expect(peer, "TryGet after RemoveByTag", !(await peer.TryGetAsync<BenchRecord>(prefix + "t" + i)).Found);
            }
        }
    }

    private static void Expect(ICacheUnderTest peer, string what, bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Peer '{peer.Name}' failed its check: {what}.");
        }
    }
}
