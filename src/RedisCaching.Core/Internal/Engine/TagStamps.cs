namespace RedisCaching.Internal.Engine;

/// <summary>
/// An entry's tags as an L1 entry keeps them: the memory keys of the tags' token keys and the token each held when
/// the entry was written. A hit compares them with the current tokens (themselves L1 entries under tracking), so
/// checking costs a dictionary lookup per tag and allocates nothing.
/// </summary>
internal sealed class TagStamps(string[] tagKeys, long[] tokens)
{
    public string[] TagKeys { get; } = tagKeys;

    public long[] Tokens { get; } = tokens;
}
