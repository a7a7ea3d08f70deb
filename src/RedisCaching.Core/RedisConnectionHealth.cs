using System;

namespace RedisCaching;

/// <summary>A snapshot of the connection's health: its status and what happened last.</summary>
/// <param name="Status">The current status.</param>
/// <param name="ConnectionFailures">How many connection failures were reported since start.</param>
/// <param name="ConnectionRestores">How many connections were restored since start.</param>
/// <param name="LastFailure">What the last failure was (failure type, connection type and endpoint; never a secret), if any.</param>
/// <param name="LastFailureAt">When the last failure happened, if any.</param>
/// <param name="LastChangeAt">When <paramref name="Status"/> last changed.</param>
public sealed record RedisConnectionHealth(
    RedisConnectionStatus Status,
    long ConnectionFailures,
    long ConnectionRestores,
    string? LastFailure,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset LastChangeAt);
