using System;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>Marks that the host supplies the multiplexer; its presence in DI switches RedisCaching to borrowing it.</summary>
internal sealed class ExternalMultiplexerSource(Func<IServiceProvider, IConnectionMultiplexer> factory)
{
    public Func<IServiceProvider, IConnectionMultiplexer> Factory { get; } = factory;
}
