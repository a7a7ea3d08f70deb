using RedisCaching.Testing;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>A redis-server (standalone) process of the fixture's own, started before its tests: <see cref="StandaloneServerTest"/>.</summary>
public abstract class ServerFixture : StandaloneServerTest
{
}
