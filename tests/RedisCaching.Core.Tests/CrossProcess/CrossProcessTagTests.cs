using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.CrossProcess;

/// <summary>Remove-by-tag across real OS processes: this one writes, a second holds the entry in memory, a third removes the tag.</summary>
public class CrossProcessTagTests : StandaloneServerFixture
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_tag_removed_by_a_third_process_is_gone_from_a_second_processs_memory()
    {
        var options = Options(Server);
        await using var reader = TestProcess.Start(typeof(TagProbe).Assembly.Location, TagProbe.Arguments(Server.Host, Server.Port, options.Keys.Prefix));
        await using var remover = TestProcess.Start(typeof(TagProbe).Assembly.Location, TagProbe.Arguments(Server.Host, Server.Port, options.Keys.Prefix));
        await using var writer = await CreateCoherentAsync(Server, options);
        Assert.That(await reader.WaitForLineAsync("ready", StartTimeout), Is.EqualTo("ready Tracking"));
        Assert.That(await remover.WaitForLineAsync("ready", StartTimeout), Is.EqualTo("ready Tracking"));

        await writer.Cache.SetAsync("doc:1", "draft", new CacheEntryOptions { Tags = ["docs"] });
        await writer.Cache.SetAsync("other", "kept", new CacheEntryOptions { Tags = ["misc"] });
        Assert.That(await ReadUntilAsync(reader, "doc:1", "value Memory draft"), Is.EqualTo("value Memory draft"), "the second process never held the entry in memory");
        Assert.That(await ReadUntilAsync(reader, "other", "value Memory kept"), Is.EqualTo("value Memory kept"));

        await remover.SendAsync("remove-tag docs");
        Assert.That(await remover.WaitForLineAsync("removed", StartTimeout), Is.EqualTo("removed True"));

        var stopwatch = Stopwatch.StartNew();
        var afterRemoval = await ReadUntilAsync(reader, "doc:1", "value None miss");
        TestContext.Out.WriteLine($"the second process stopped serving the entry within {stopwatch.Elapsed.TotalMilliseconds:F1} ms of the third's RemoveByTag (including the stdin/stdout round trips)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterRemoval, Is.EqualTo("value None miss"));
            Assert.That(await ReadUntilAsync(reader, "other", "value Memory kept"), Is.EqualTo("value Memory kept"), "another tag's entry left the second process's memory");
            Assert.That((await writer.Cache.TryGetAsync<string>("doc:1")).HasValue, Is.False, "the writer still serves it");
        }

        await reader.SendAsync("exit");
        await remover.SendAsync("exit");
    }

    /// <summary>Asks the probe to read <paramref name="key"/> until it answers <paramref name="expected"/> (at most 2 s); returns the last answer.</summary>
    private static async Task<string> ReadUntilAsync(TestProcess probe, string key, string expected)
    {
        var stopwatch = Stopwatch.StartNew();
        string answer;
        do
        {
            await probe.SendAsync("read " + key);
            answer = await probe.WaitForLineAsync("value", StartTimeout);
        }
        while (answer != expected && stopwatch.Elapsed < TimeSpan.FromSeconds(2));
        return answer;
    }
}
