using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>What every peer suite's global setup does: create a peer on the benchmark server and check it.</summary>
internal static class PeerSetup
{
    public static async Task<T> CreateCheckedAsync<T>(string name, string instance)
        where T : ICacheUnderTest
    {
        ICacheUnderTest peer = await PeerCatalog.CreateAsync(name, BenchEndpoint.FromEnvironment(), instance);
        await PeerCheck.RunAsync(peer);
        return (T)peer;
    }

    /// <summary>The value the suites store: one instance, so factories are static and allocate nothing.</summary>
    public static readonly BenchRecord Record = BenchRecord.Create(7, 1);

    /// <summary>The string the suites store (about the record's size).</summary>
    public static readonly string Text = new('x', 200);
}
