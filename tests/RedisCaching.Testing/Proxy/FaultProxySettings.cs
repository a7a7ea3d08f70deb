using System;

namespace RedisCaching.Testing;

/// <summary>
/// One immutable snapshot of a proxy's mode. Pumps read the current snapshot per chunk; <see cref="Generation"/>
/// tells them the mode was set again, which restarts the byte count of <see cref="FaultProxyMode.CutAfterServerBytes"/>.
/// </summary>
internal sealed record FaultProxySettings(FaultProxyMode Mode, long CutAfterBytes, TimeSpan Latency, long Generation);
