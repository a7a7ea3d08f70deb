using System.Threading;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Tests.Encryption;

/// <summary>A host provider whose keys change at run time (as one reloading from a vault would).</summary>
internal sealed class SwappableKeyProvider(CacheEncryptionKeySet initial) : ICacheEncryptionKeyProvider
{
    private CacheEncryptionKeySet _current = initial;

    public CacheEncryptionKeySet Current => Volatile.Read(ref _current);

    public void Publish(CacheEncryptionKeySet keys) => Volatile.Write(ref _current, keys);
}
