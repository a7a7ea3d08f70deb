using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Testing.Tests;

public sealed class SharedServerTests
{
    [Test]
    public async Task Shared_server_is_started_once_and_cannot_be_stopped_by_a_test()
    {
        var first = await RedisTestServers.GetSharedAsync();
        var second = await RedisTestServers.GetSharedAsync();
        await first.DisposeAsync(); // a no-op: other fixtures use it

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.SameAs(first));
            Assert.That(await second.RunCliAsync("PING"), Is.EqualTo("PONG"));
            Assert.That(first.StopAsync, Throws.InvalidOperationException);
            Assert.That(first.PauseAsync, Throws.InvalidOperationException);
        }
    }
}
