namespace RedisCaching.Benchmarks.Peers;

/// <summary>The result of a read without a factory: a struct, so a hit costs the adapter nothing. <c>default</c> is
/// a miss.</summary>
/// <typeparam name="T">The value type.</typeparam>
public readonly record struct Lookup<T>(bool Found, T? Value);
