using System.Linq;
using NUnit.Framework;
using RedisCaching.Internal.Engine;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The token key's value format (<see cref="TagTokens"/>): what a mark appends, what eager removal writes, what damage does.</summary>
public class TagTokensTests
{
    [Test]
    public void A_plain_token_is_current_with_nothing_stale()
    {
        var tokens = TagTokens.Parse("-4711");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((tokens.Current, tokens.Stale), Is.EqualTo((-4711L, (long[]?)null)));
            Assert.That(tokens.Check(-4711), Is.EqualTo(TokenState.Valid));
            Assert.That(tokens.Check(913), Is.EqualTo(TokenState.Invalid));
            Assert.That(tokens.Format(), Is.EqualTo("-4711"));
        }
    }

    [Test]
    public void Appended_tokens_make_the_last_current_and_the_earlier_ones_stale()
    {
        var tokens = TagTokens.Parse("913;-22;-4711");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tokens.Current, Is.EqualTo(-4711));
            Assert.That(tokens.Stale, Is.EqualTo(new long[] { -22, 913 }), "newest first");
            Assert.That(tokens.Check(-22), Is.EqualTo(TokenState.Stale));
            Assert.That(tokens.Check(913), Is.EqualTo(TokenState.Stale));
            Assert.That(tokens.Check(5), Is.EqualTo(TokenState.Invalid));
            Assert.That(tokens.Check(0), Is.EqualTo(TokenState.Invalid), "0 stands for a missing key and is never valid");
            Assert.That(tokens.Format(), Is.EqualTo("913;-22;-4711"), "format round-trips");
        }
    }

    [Test]
    public void Only_the_last_sixteen_replaced_tokens_count()
    {
        var value = string.Join(';', Enumerable.Range(1, 30));
        var tokens = TagTokens.Parse(value);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tokens.Current, Is.EqualTo(30));
            Assert.That(tokens.Stale, Has.Length.EqualTo(TagTokens.MaxStaleTokens));
            Assert.That(tokens.Check(14), Is.EqualTo(TokenState.Stale));
            Assert.That(tokens.Check(13), Is.EqualTo(TokenState.Invalid));
            Assert.That(tokens.Format(), Is.EqualTo(string.Join(';', Enumerable.Range(14, 17))), "what compaction writes");
        }
    }

    [TestCase(";77", 77L, 0)]
    [TestCase("5;;77", 77L, 1)]
    [TestCase("5;junk;6;77", 77L, 1)]
    [TestCase("5;junk", 0L, 0)]
    [TestCase("junk", 0L, 0)]
    [TestCase("", 0L, 0)]
    public void Damage_only_ever_removes(string value, long current, int stale)
    {
        var tokens = TagTokens.Parse(value);
        Assert.That((tokens.Current, tokens.Stale?.Length ?? 0), Is.EqualTo((current, stale)));
    }

    [Test]
    public void A_missing_key_has_no_token()
    {
        Assert.That(TagTokens.Parse(RedisValue.Null).Current, Is.Zero);
    }
}
