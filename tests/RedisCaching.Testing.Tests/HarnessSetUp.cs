using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Testing.Tests;

/// <summary>After every test of the assembly: the harness must have left no server process behind.</summary>
[SetUpFixture]
public sealed class HarnessSetUp
{
    [OneTimeTearDown]
    public async Task No_server_process_is_left_running()
    {
        await RedisTestServers.DisposeSharedAsync();
        Assert.That(RedisProcessRegistry.RunningProcessIds, Is.Empty, "server processes left running by the tests");
    }
}
