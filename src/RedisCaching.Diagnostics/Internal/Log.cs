using System;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>RedisCaching.Diagnostics' log messages (ids in <see cref="DiagnosticsEventIds"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = DiagnosticsEventIds.SlowRedisOperation, Level = LogLevel.Warning, Message = "Slow Redis {Operation} from cache {CacheName}: {DurationMs:0.#} ms (threshold {ThresholdMs:0.#} ms, error {ErrorType})")]
    public static partial void SlowRedisOperation(ILogger logger, string operation, string cacheName, double durationMs, double thresholdMs, string? errorType);
}
