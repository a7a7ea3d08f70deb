using RedisCaching.Testing;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>A fixture whose tests share one standalone server (each test uses its own keys): <see cref="StandaloneServerTest"/> under the name Core's tests use.</summary>
public abstract class StandaloneServerFixture : StandaloneServerTest
{
}
