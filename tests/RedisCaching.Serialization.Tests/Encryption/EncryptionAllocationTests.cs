using System;
using System.Buffers;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Tests.Encryption;

/// <summary>
/// Allocation guard (deterministic, not a timing): after warm-up, encrypting and decrypting a 4 KB payload into
/// pooled writers allocates nothing, so a regression (a per-call AesGcm, a byte[] for the associated data) fails CI.
/// </summary>
public sealed class EncryptionAllocationTests
{
    private const int Operations = 1000;

    [Test]
    public void Encrypt_and_decrypt_of_4_KB_allocate_nothing_after_warm_up()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var payload = TestKeys.Payload(4096);
        var aad = TestKeys.Aad("rc:allocation:probe");
        var encrypted = new ArrayBufferWriter<byte>(payload.Length + AesGcmCacheEncryptor.Overhead);
        var decrypted = new ArrayBufferWriter<byte>(payload.Length);

        RoundTrip(encryptor, payload, aad, encrypted, decrypted, times: 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        RoundTrip(encryptor, payload, aad, encrypted, decrypted, times: Operations);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero, $"{(double)allocated / Operations:F1} B per encrypt+decrypt");
            Assert.That(decrypted.WrittenSpan.SequenceEqual(payload), Is.True);
        }
    }

    [Test]
    public void Long_associated_data_allocates_nothing_after_warm_up_either()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var payload = TestKeys.Payload(4096);
        var aad = TestKeys.Payload(1500, seed: 3);
        var encrypted = new ArrayBufferWriter<byte>(payload.Length + AesGcmCacheEncryptor.Overhead);
        var decrypted = new ArrayBufferWriter<byte>(payload.Length);

        RoundTrip(encryptor, payload, aad, encrypted, decrypted, times: 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        RoundTrip(encryptor, payload, aad, encrypted, decrypted, times: Operations);

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static void RoundTrip(AesGcmCacheEncryptor encryptor, byte[] payload, byte[] aad, ArrayBufferWriter<byte> encrypted, ArrayBufferWriter<byte> decrypted, int times)
    {
        for (var i = 0; i < times; i++)
        {
            encrypted.ResetWrittenCount();
            decrypted.ResetWrittenCount();
            encryptor.Encrypt(1, payload, aad, encrypted);
            if (!encryptor.TryDecrypt(1, encrypted.WrittenSpan, aad, decrypted))
            {
                Assert.Fail("round trip failed");
            }
        }
    }
}
