using System;
using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using StackExchange.Redis;

namespace RedisCaching.Internal.Keys;

/// <summary>
/// Validates cache keys and turns them into Redis keys. The fixed parts are joined once at construction, so a key
/// costs one string concatenation.
/// </summary>
internal sealed class CacheKeyBuilder
{
    private const int HashedKeyReadablePrefix = 64;

    /// <summary>Marks a hashed key; callers' keys may not contain it, so no key can collide with another's hash.</summary>
    private const string HashMarker = "#sha256:";
    private readonly string _fixedPrefix;
    private readonly RedisKey _fixedPrefixBytes;
    private readonly CacheKeyOptions _options;
    private readonly SearchValues<char> _allowed;

    /// <summary>The length rules, read once like the allowed characters: a cache's key rules never change (<see cref="MayAskMemoryFirst"/> relies on it).</summary>
    private readonly int _maxLength;
    private readonly bool _hashLongKeys;

    public CacheKeyBuilder(CacheKeyOptions options)
    {
        CacheKeyOptions.Validate(options);
        _options = options;
        var builder = new StringBuilder(options.Prefix).Append(':');
        foreach (var part in new[] { options.Environment, options.Tenant, options.Namespace })
        {
            if (!string.IsNullOrEmpty(part))
            {
                builder.Append(part).Append(':');
            }
        }

        if (!string.IsNullOrEmpty(options.Version))
        {
            builder.Append('v').Append(options.Version).Append(':');
        }

        _fixedPrefix = builder.ToString();
        _fixedPrefixBytes = Encoding.UTF8.GetBytes(_fixedPrefix);
        UsesGenerations = options.Generations;
        TrackingPrefix = options.Prefix + ":";
        _maxLength = options.MaxLength;
        _hashLongKeys = options.HashLongKeys;
        _allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + options.AllowedPunctuation);
    }

    /// <summary>The prefix Redis tracks for this cache (every key starts with it).</summary>
    public string TrackingPrefix { get; }

    /// <summary>The start of every Redis key of this cache (<see cref="ICacheKeySpace.KeyPrefix"/>).</summary>
    public string KeyPrefix => _fixedPrefix;

    /// <summary>Whether entries' keys carry the key space's generation (<see cref="CacheKeyOptions.Generations"/>).</summary>
    public bool UsesGenerations { get; }

    /// <summary>
    /// Validates <paramref name="key"/> and returns the key the in-process tier uses: the key itself (no allocation),
    /// or for an over-long key its hashed form. The Redis key is <see cref="Qualify"/> of it.
    /// </summary>
    /// <exception cref="CacheKeyException">The key is null, empty, too long or has a character that is not allowed.</exception>
    public string ToMemoryKey(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new CacheKeyException("empty", "A cache key must not be empty.");
        }

        var bad = key.AsSpan().IndexOfAnyExcept(_allowed);
        if (bad >= 0)
        {
            throw new CacheKeyException(
                "characters",
                $"The cache key has a character that is not allowed at position {bad} (U+{(int)key[bad]:X4}); allowed are ASCII letters, digits and '{_options.AllowedPunctuation}' (Keys:AllowedPunctuation).");
        }

        if (key.Contains('#', StringComparison.Ordinal) && key.Contains(HashMarker, StringComparison.Ordinal))
        {
            throw new CacheKeyException("reserved", $"A cache key must not contain '{HashMarker}': it marks hashed long keys.");
        }

        if (key.Length > _maxLength)
        {
            if (!_hashLongKeys)
            {
                throw new CacheKeyException(
                    "length",
                    $"The cache key is {key.Length} characters long; the limit is {_maxLength} (Keys:MaxLength), or set Keys:HashLongKeys to hash longer keys.");
            }

            return string.Concat(key.AsSpan(0, Math.Min(HashedKeyReadablePrefix, _maxLength)), HashMarker, Sha256Hex(key));
        }

        return key;
    }

    /// <summary>
    /// Whether memory may be asked with <paramref name="key"/> before the key rules run (a memory hit then skips them,
    /// ~3 ns of a ~40 ns hit: benchmarks/README.md, "L1 hit profile"). Memory holds entries only under keys
    /// <see cref="ToMemoryKey"/> returned or internal keys: a caller's key unchanged (it passed the rules), a hashed long
    /// key, or a key starting with <see cref="InternalKeyMarker"/>. A key found there that has neither of the last two
    /// shapes (both checked here in constant time) therefore passed the rules when it was stored, and a cache's rules do
    /// not change. A key that is not found is validated then; being no longer than the limit, its memory key is itself.
    /// </summary>
    public bool MayAskMemoryFirst(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= _maxLength && key[0] != InternalKeyMarker[0] && !HasHashedShape(key);

    /// <summary>Whether <paramref name="key"/> has the shape of a hashed long key: readable prefix, marker, 64 hex digits.</summary>
    private bool HasHashedShape(string key)
    {
        var markerAt = Math.Min(HashedKeyReadablePrefix, _maxLength);
        return key.Length == markerAt + HashMarker.Length + (2 * SHA256.HashSizeInBytes)
            && key.AsSpan(markerAt).StartsWith(HashMarker, StringComparison.Ordinal);
    }

    /// <summary>
    /// Internal keys (tag tokens, locks) start with this inside the cache's key space. Callers' keys cannot contain
    /// '!' (it may not be added to the allowed punctuation), so no caller's key reaches them.
    /// </summary>
    public const string InternalKeyMarker = "!";

    /// <summary>The memory key of a tag's token key.</summary>
    public const string TagKeyPrefix = InternalKeyMarker + "tag:";

    /// <summary>Validates <paramref name="tag"/> with the key rules and returns the memory key of its token key.</summary>
    /// <exception cref="CacheKeyException">The tag breaks a key rule.</exception>
    public string ToTagKey(string tag) => string.Concat(TagKeyPrefix, ToMemoryKey(tag));

    /// <summary>The memory key of the key space's generation token (<see cref="CacheKeyOptions.Generations"/>).</summary>
    public const string GenerationKey = InternalKeyMarker + "generation";

    /// <summary>Validates <paramref name="key"/> and returns the Redis key.</summary>
    /// <exception cref="CacheKeyException">The key breaks a key rule.</exception>
    public string ToRedisKey(string key) => Qualify(ToMemoryKey(key));

    /// <summary>
    /// The Redis key of a memory key: of an internal key (tag token, lock, the generation) always; of an entry when
    /// the key space has no generations (otherwise <see cref="EntryPrefix"/> comes first).
    /// </summary>
    public string Qualify(string memoryKey) => string.Concat(_fixedPrefix, memoryKey);

    /// <summary>
    /// The Redis key of a memory key as a <see cref="RedisKey"/> that carries the fixed prefix as bytes: the same key on
    /// the wire as <see cref="Qualify"/>, without building its string (StackExchange.Redis writes prefix and key).
    /// </summary>
    public RedisKey QualifiedKey(string memoryKey) => new RedisKey(memoryKey).Prepend(_fixedPrefixBytes);

    /// <summary>Where the Redis keys of the entries of <paramref name="generation"/> start; built once per generation.</summary>
    public string EntryPrefix(long generation)
    {
        var last = Volatile.Read(ref _lastEntryPrefix);
        if (last is not null && last.Generation == generation)
        {
            return last.Prefix;
        }

        var prefix = string.Create(CultureInfo.InvariantCulture, $"{_fixedPrefix}{GenerationMarker}{generation:x16}:");
        Volatile.Write(ref _lastEntryPrefix, new GenerationPrefix(generation, prefix));
        return prefix;
    }

    /// <summary>
    /// The memory key of a Redis key, or null when the Redis key is not in this cache's key space (another environment
    /// or version under the same prefix). With generations, an entry of any generation maps to its memory key: an
    /// invalidation of another generation's entry then costs at most one extra miss.
    /// </summary>
    public string? ToMemoryKeyOf(string redisKey)
    {
        if (!redisKey.StartsWith(_fixedPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        if (!UsesGenerations || redisKey.Length == _fixedPrefix.Length || redisKey[_fixedPrefix.Length] == InternalKeyMarker[0])
        {
            return redisKey[_fixedPrefix.Length..];
        }

        var end = redisKey.IndexOf(':', _fixedPrefix.Length);
        return redisKey[_fixedPrefix.Length] == GenerationMarker && end > 0 ? redisKey[(end + 1)..] : null;
    }

    private const char GenerationMarker = 'g';

    private GenerationPrefix? _lastEntryPrefix;

    private sealed record GenerationPrefix(long Generation, string Prefix);

    private static string Sha256Hex(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash);
    }
}
