using System;
using System.IO;
using System.Text;
using NUnit.Framework;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Core.Tests.Cache;

public class EnvelopeTests
{
    private static readonly EnvelopeHeader Sample = new(SerializerIds.SystemTextJson, 0, 0, 1_700_000_000_000, 1_700_000_300_000, 1_700_003_900_000, ["features", "tenant:7"])
    {
        TagTokens = [42, -7],
    };

    private static byte[] Write(EnvelopeHeader header, string payload)
    {
        using var buffer = new PooledBufferWriter();
        EnvelopeFormat.WriteHeader(buffer, header);
        var bytes = Encoding.UTF8.GetBytes(payload);
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
        return buffer.WrittenMemory.ToArray();
    }

    [Test]
    public void Header_round_trips_with_tags_and_payload()
    {
        var data = Write(Sample, "{\"a\":1}");
        var status = EnvelopeFormat.TryRead(data, out var header, out var offset);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(EnvelopeReadStatus.Ok));
            Assert.That(header with { Tags = null, TagTokens = null }, Is.EqualTo(Sample with { Tags = null, TagTokens = null }));
            Assert.That(header.Tags, Is.EqualTo(Sample.Tags));
            Assert.That(header.TagTokens, Is.EqualTo(new long[] { 42, -7 }));
            Assert.That(header.SlidingMs, Is.Zero);
            Assert.That(Encoding.UTF8.GetString(data.AsSpan(offset)), Is.EqualTo("{\"a\":1}"));
        }
    }

    [Test]
    public void Sliding_window_round_trips_and_its_expiry_reads_from_the_first_bytes()
    {
        var data = Write(Sample with { SlidingMs = 90_000 }, "1");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EnvelopeFormat.TryRead(data, out var header, out var offset), Is.EqualTo(EnvelopeReadStatus.Ok));
            Assert.That(header.SlidingMs, Is.EqualTo(90_000));
            Assert.That(header.TagTokens, Is.EqualTo(new long[] { 42, -7 }));
            Assert.That(Encoding.UTF8.GetString(data.AsSpan(offset)), Is.EqualTo("1"));
            Assert.That(EnvelopeFormat.TryReadExpiry(data.AsSpan(0, EnvelopeFormat.FixedHeaderLength + 8), out var cap, out var sliding), Is.True);
            Assert.That((cap, sliding), Is.EqualTo((1_700_000_300_000L, 90_000L)));
            Assert.That(EnvelopeFormat.TryReadExpiry(data.AsSpan(0, EnvelopeFormat.FixedHeaderLength), out _, out _), Is.False, "the window is cut off");
            Assert.That(EnvelopeFormat.TryReadExpiry("plain text from elsewhere, long enough"u8.ToArray().AsSpan(), out _, out _), Is.False);
        }
    }

    [Test]
    public void Type_fingerprint_round_trips_and_a_zero_or_cut_one_is_corrupt()
    {
        var data = Write(Sample with { SlidingMs = 90_000, TypeFingerprint = 0xDEADBEEF }, "{}");
        var zero = (byte[])data.Clone();
        zero.AsSpan(EnvelopeFormat.FixedHeaderLength + 8, 4).Clear();
        var plain = Write(Sample, "{}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EnvelopeFormat.TryRead(data, out var header, out var offset), Is.EqualTo(EnvelopeReadStatus.Ok));
            Assert.That(header.TypeFingerprint, Is.EqualTo(0xDEADBEEF));
            Assert.That(header.SlidingMs, Is.EqualTo(90_000));
            Assert.That(header.TagTokens, Is.EqualTo(new long[] { 42, -7 }));
            Assert.That(Encoding.UTF8.GetString(data.AsSpan(offset)), Is.EqualTo("{}"));
            Assert.That(data[4] & 4, Is.EqualTo(4), "flag bit 2");
            Assert.That(EnvelopeFormat.TryReadExpiry(data, out _, out var sliding) && sliding == 90_000, Is.True, "the sliding window stays right after the fixed header");
            Assert.That(EnvelopeFormat.TryRead(zero, out _, out _), Is.EqualTo(EnvelopeReadStatus.Corrupt), "0 means none and is never written");
            Assert.That(EnvelopeFormat.TryRead(data.AsSpan(0, EnvelopeFormat.FixedHeaderLength + 8 + 3), out _, out _), Is.EqualTo(EnvelopeReadStatus.Corrupt));
            Assert.That(plain[4] & 4, Is.Zero, "no fingerprint, no flag: the bytes are version 2 as before");
            Assert.That(EnvelopeFormat.TryRead(plain, out var untyped, out _) == EnvelopeReadStatus.Ok && untyped.TypeFingerprint == 0, Is.True);
        }
    }

    [Test]
    public void Tags_without_tokens_are_refused_by_the_writer() =>
        Assert.That(() => Write(Sample with { TagTokens = null }, "x"), Throws.ArgumentException);

    [TestCase("hello")]
    [TestCase("")]
    [TestCase("{\"json\":\"written by another program\"}")]
    public void Foreign_bytes_are_recognised(string text) =>
        Assert.That(EnvelopeFormat.TryRead(Encoding.UTF8.GetBytes(text), out _, out _), Is.EqualTo(EnvelopeReadStatus.Foreign));

    [Test]
    public void Unknown_version_truncation_and_unknown_flags_are_rejected_not_thrown()
    {
        var data = Write(Sample, "x");
        var newer = (byte[])data.Clone();
        newer[3] = 3;
        var badFlags = (byte[])data.Clone();
        badFlags[4] |= 0x80;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EnvelopeFormat.TryRead(newer, out _, out _), Is.EqualTo(EnvelopeReadStatus.UnsupportedVersion));
            Assert.That(EnvelopeFormat.TryRead(badFlags, out _, out _), Is.EqualTo(EnvelopeReadStatus.Corrupt));
            for (var length = 4; length < EnvelopeFormat.FixedHeaderLength + 6; length++)
            {
                Assert.That(EnvelopeFormat.TryRead(data.AsSpan(0, length), out _, out _), Is.EqualTo(EnvelopeReadStatus.Corrupt), $"truncated to {length}");
            }
        }
    }

    /// <summary>
    /// Golden file of format version 1, written byte by byte from the layout documented on EnvelopeFormat (not by
    /// our encoder). Every later version must still read it; a new version adds a file, never overwrites this one.
    /// </summary>
    [Test]
    public void Version_1_golden_file_still_reads()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "envelope-v1-tags.bin");
        var data = File.ReadAllBytes(path);
        var status = EnvelopeFormat.TryRead(data, out var header, out var offset);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(EnvelopeReadStatus.Ok));
            Assert.That(header.CreatedAtUnixMs, Is.EqualTo(1_700_000_000_000));
            Assert.That(header.LogicalExpiresAtUnixMs, Is.EqualTo(1_700_000_300_000));
            Assert.That(header.HardExpiresAtUnixMs, Is.EqualTo(1_700_003_900_000));
            Assert.That(header.Tags, Is.EqualTo(new[] { "features", "tenant:7" }));
            Assert.That(header.TagTokens, Is.Null, "version 1 has no tag tokens: the engine treats its tags as unverifiable");
            Assert.That(Encoding.UTF8.GetString(data.AsSpan(offset)), Is.EqualTo("{\"name\":\"golden\",\"count\":3}"));
        }
    }

    /// <summary>Golden file of format version 2 (sliding window and tag tokens), written byte by byte from the layout on EnvelopeFormat.</summary>
    [Test]
    public void Version_2_golden_file_still_reads()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "envelope-v2-sliding-tags.bin");
        var data = File.ReadAllBytes(path);
        var status = EnvelopeFormat.TryRead(data, out var header, out var offset);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(EnvelopeReadStatus.Ok));
            Assert.That(header.CreatedAtUnixMs, Is.EqualTo(1_700_000_000_000));
            Assert.That(header.LogicalExpiresAtUnixMs, Is.EqualTo(1_700_000_300_000));
            Assert.That(header.SlidingMs, Is.EqualTo(60_000));
            Assert.That(header.Tags, Is.EqualTo(new[] { "features", "tenant:7" }));
            Assert.That(header.TagTokens, Is.EqualTo(new long[] { 0x0123456789ABCDEF, -2 }));
            Assert.That(header.TypeFingerprint, Is.Zero, "written before entries recorded their type");
            Assert.That(Encoding.UTF8.GetString(data.AsSpan(offset)), Is.EqualTo("{\"name\":\"golden\",\"count\":3}"));
        }
    }

    /// <summary>
    /// Golden file of format version 2 with a type fingerprint (flag bit 2, after the sliding window, before the tags),
    /// written byte by byte from the layout on EnvelopeFormat; the encoder must still write exactly these bytes.
    /// </summary>
    [Test]
    public void Version_2_golden_file_with_a_type_fingerprint_reads_and_is_written_the_same_way()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "envelope-v2-sliding-typed-tags.bin");
        var data = File.ReadAllBytes(path);
        var status = EnvelopeFormat.TryRead(data, out var header, out var offset);
        var expected = new EnvelopeHeader(SerializerIds.SystemTextJson, 0, 0, 1_700_000_000_000, 1_700_000_300_000, 1_700_000_300_000, ["features", "tenant:7"])
        {
            TagTokens = [0x0123456789ABCDEF, -2],
            SlidingMs = 60_000,
            TypeFingerprint = TypeIdentity.Fingerprint("Golden.Document"),
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(EnvelopeReadStatus.Ok));
            Assert.That(header.TypeFingerprint, Is.EqualTo(0x1F624763u));
            Assert.That(header.SlidingMs, Is.EqualTo(60_000));
            Assert.That(header.Tags, Is.EqualTo(new[] { "features", "tenant:7" }));
            Assert.That(header.TagTokens, Is.EqualTo(new long[] { 0x0123456789ABCDEF, -2 }));
            Assert.That(Encoding.UTF8.GetString(data.AsSpan(offset)), Is.EqualTo("{\"name\":\"golden\",\"count\":3}"));
            Assert.That(Write(expected, "{\"name\":\"golden\",\"count\":3}"), Is.EqualTo(data));
        }
    }
}
