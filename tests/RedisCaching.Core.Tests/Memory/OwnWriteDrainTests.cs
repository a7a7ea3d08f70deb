using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>
/// Our own writes settle memory under the key's write lock. Applying arrived invalidations there would take another
/// key's write lock while holding this one: two writers, each applying the other's key, would wait for each other
/// forever. Found in review (2026-11-27); here two writers race while another client keeps invalidating both keys.
/// </summary>
public class OwnWriteDrainTests
{
    [Test]
    public async Task Two_own_writers_never_deadlock_while_invalidations_for_each_others_keys_arrive()
    {
        await using var server = await StartServerAsync();
        var prefix = NewPrefix("own-write-drain");
        await using var tier = await StartTierAsync(server, prefix);
        await using var other = await ConnectionMultiplexer.ConnectAsync($"{server.Host}:{server.Port}");
        var (first, second) = (prefix + "a", prefix + "b");
        var stop = 0;
        var writes = new long[2];

        void OwnWrites(string key, int slot)
        {
            while (Volatile.Read(ref stop) == 0)
            {
                tier.CompleteOwnWrite(key, tier.BeginFill(key), Entry("ours"));
                writes[slot]++;
            }
        }

        void ForeignWrites()
        {
            var db = other.GetDatabase();
            for (var i = 0; Volatile.Read(ref stop) == 0; i++)
            {
                db.StringSet(first, i, flags: CommandFlags.FireAndForget);
                db.StringSet(second, i, flags: i % 100 == 0 ? CommandFlags.None : CommandFlags.FireAndForget);
            }
        }

        var threads = new[]
        {
            new Thread(() => OwnWrites(first, 0)) { IsBackground = true },
            new Thread(() => OwnWrites(second, 1)) { IsBackground = true },
            new Thread(ForeignWrites) { IsBackground = true },
        };
        foreach (var thread in threads)
        {
            thread.Start();
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        Volatile.Write(ref stop, 1);
        var ended = true;
        foreach (var thread in threads)
        {
            ended &= thread.Join(TimeSpan.FromSeconds(10));
        }

        TestContext.Out.WriteLine($"own writes {writes[0]} + {writes[1]}, invalidations applied {tier.InvalidationsReceived}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ended, Is.True, "a writer never finished: deadlocked");
            Assert.That(tier.InvalidationsReceived, Is.GreaterThan(100), "premise: invalidations for both keys kept arriving");
        }
    }
}
