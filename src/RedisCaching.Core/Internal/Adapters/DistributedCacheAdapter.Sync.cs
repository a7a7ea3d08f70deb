using System.Buffers;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// The synchronous half of <see cref="IDistributedCache"/>. The engine is asynchronous only, so these run the async
/// path and block on it when it did not complete at once (a memory hit does, and never blocks). Blocking cannot
/// deadlock on a synchronization context: every await in the engine uses <c>ConfigureAwait(false)</c>. It does hold
/// the calling thread while Redis answers (at most about the Redis budget, <c>RedisTimeout</c>), and the
/// continuation that releases it needs another thread-pool thread: many blocked callers at once can starve the pool.
/// Prefer the async methods (in ASP.NET Core, <c>await HttpContext.Session.LoadAsync()</c> before reading the
/// session keeps the session on them).
/// </summary>
internal sealed partial class DistributedCacheAdapter
{
    public byte[]? Get(string key) => Block(GetAsync(key));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Block(SetAsync(key, value, options));

    public void Refresh(string key) => Block(RefreshAsync(key));

    public void Remove(string key) => Block(RemoveAsync(key));

    public bool TryGet(string key, IBufferWriter<byte> destination) => Block(TryGetAsync(key, destination));

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => Block(SetAsync(key, value, options));

    private static T Block<T>(Task<T> pending) => pending.GetAwaiter().GetResult();

    private static void Block(Task pending) => pending.GetAwaiter().GetResult();

    private static T Block<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Block(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
