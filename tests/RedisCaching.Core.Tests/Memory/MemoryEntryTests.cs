using System;
using NUnit.Framework;
using RedisCaching.Internal.Memory;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>An entry ended early by its key's TTL in Redis (<see cref="MemoryEntry.EndingBy"/>).</summary>
public class MemoryEntryTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Ending_earlier_moves_both_expiries_and_their_milliseconds_and_keeps_the_rest()
    {
        var entry = new MemoryEntry("v", 10, Now.AddHours(2), Now.AddHours(1)) { CreatedAt = Now, TypeFingerprint = 7, Authenticated = true };
        var end = Now.AddMinutes(30).ToUnixTimeMilliseconds();

        var ended = entry.EndingBy(end);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ended.HardExpiresAtUnixMs, Is.EqualTo(end));
            Assert.That(ended.LogicalExpiresAtUnixMs, Is.EqualTo(end));
            Assert.That(ended.HardExpiresAt.ToUnixTimeMilliseconds(), Is.EqualTo(end));
            Assert.That(ended.LogicalExpiresAt.ToUnixTimeMilliseconds(), Is.EqualTo(end));
            Assert.That((ended.Value, ended.SizeBytes, ended.CreatedAtUnixMs, ended.TypeFingerprint, ended.Authenticated), Is.EqualTo((entry.Value, entry.SizeBytes, entry.CreatedAtUnixMs, entry.TypeFingerprint, entry.Authenticated)));
            Assert.That(entry.HardExpiresAtUnixMs, Is.EqualTo(Now.AddHours(2).ToUnixTimeMilliseconds()), "the original changed");
        }
    }

    [Test]
    public void Ending_between_the_expiries_moves_only_the_hard_one()
    {
        var entry = new MemoryEntry("v", 10, Now.AddHours(2), Now.AddHours(1));
        var end = Now.AddMinutes(90).ToUnixTimeMilliseconds();

        var ended = entry.EndingBy(end);

        Assert.That((ended.HardExpiresAtUnixMs, ended.LogicalExpiresAtUnixMs), Is.EqualTo((end, Now.AddHours(1).ToUnixTimeMilliseconds())));
    }

    [Test]
    public void Ending_later_than_both_returns_the_entry_itself()
    {
        var entry = new MemoryEntry("v", 10, Now.AddHours(2), Now.AddHours(1));
        Assert.That(entry.EndingBy(Now.AddHours(3).ToUnixTimeMilliseconds()), Is.SameAs(entry));
    }
}
