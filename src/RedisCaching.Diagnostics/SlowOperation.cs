using System;

namespace RedisCaching.Diagnostics;

/// <summary>One Redis command of the cache that took longer than the slow-operation threshold.</summary>
/// <param name="At">When it ended.</param>
/// <param name="CacheName">The cache that sent it (<c>default</c> for the unnamed cache).</param>
/// <param name="Operation">The command (<c>GET</c>, <c>SET</c>, <c>EVAL</c>, …); never its key or value.</param>
/// <param name="Duration">How long it took, from sending to the reply (or the failure).</param>
/// <param name="ErrorType">The failure's type, or null when it succeeded.</param>
public sealed record SlowOperation(DateTimeOffset At, string CacheName, string Operation, TimeSpan Duration, string? ErrorType);
