using System;
using System.Buffers;
using System.Security.Cryptography;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Tests.Encryption;

public sealed class AesGcmCacheEncryptorTests
{
    private static readonly byte[] Aad = TestKeys.Aad("rc:orders:42");

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(200)]
    [TestCase(4096)]
    [TestCase(256 * 1024)]
    public void Round_trip_restores_the_payload(int size)
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var payload = TestKeys.Payload(size);

        var encrypted = Encrypt(encryptor, 1, payload, Aad);
        var decrypted = new ArrayBufferWriter<byte>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encrypted, Has.Length.EqualTo(size + AesGcmCacheEncryptor.Overhead));
            Assert.That(encryptor.TryDecrypt(1, encrypted, Aad, decrypted), Is.True);
            Assert.That(decrypted.WrittenSpan.ToArray(), Is.EqualTo(payload));
        }
    }

    [Test]
    public void Layout_is_nonce_ciphertext_tag_readable_with_plain_AesGcm()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(3, 3));
        var payload = TestKeys.Payload(100);
        var encrypted = Encrypt(encryptor, 3, payload, Aad);

        // Associated data = key id (big-endian) | the caller's associated data.
        var aad = new byte[2 + Aad.Length];
        aad[1] = 3;
        Aad.CopyTo(aad, 2);
        var plain = new byte[payload.Length];
        using var aes = new AesGcm(TestKeys.Key(3), 16);
        aes.Decrypt(encrypted.AsSpan(0, 12), encrypted.AsSpan(12, payload.Length), encrypted.AsSpan(12 + payload.Length), plain, aad);

        Assert.That(plain, Is.EqualTo(payload));
    }

    [Test]
    public void Each_encryption_uses_a_fresh_nonce()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var payload = TestKeys.Payload(64);

        var first = Encrypt(encryptor, 1, payload, Aad);
        var second = Encrypt(encryptor, 1, payload, Aad);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.AsSpan(0, 12).SequenceEqual(second.AsSpan(0, 12)), Is.False);
            Assert.That(first, Is.Not.EqualTo(second));
        }
    }

    [Test]
    public void Nonces_never_repeat_across_refills_of_the_per_thread_random_buffer()
    {
        // 5,000 nonces span about 30 refills of the 170-nonce buffer.
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var seen = new System.Collections.Generic.HashSet<string>();
        var writer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 5000; i++)
        {
            writer.ResetWrittenCount();
            encryptor.Encrypt(1, [1], Aad, writer);
            seen.Add(Convert.ToHexString(writer.WrittenSpan[..12]));
        }

        Assert.That(seen, Has.Count.EqualTo(5000));
    }

    [Test]
    public void Wrong_key_id_fails()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1, 2));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(64), Aad);

        Assert.That(encryptor.TryDecrypt(2, encrypted, Aad, new ArrayBufferWriter<byte>()), Is.False);
    }

    [Test]
    public void Unknown_key_id_fails_on_decrypt_and_throws_on_encrypt_without_key_material()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(64), Aad);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(9, encrypted, Aad, new ArrayBufferWriter<byte>()), Is.False);
            Assert.That(encryptor.TryDecrypt(0, encrypted, Aad, new ArrayBufferWriter<byte>()), Is.False);
            var ex = Assert.Throws<CryptographicException>(() => encryptor.Encrypt(9, TestKeys.Payload(4), Aad, new ArrayBufferWriter<byte>()));
            Assert.That(ex!.Message, Does.Contain("9").And.Not.Contain(TestKeys.Base64(1)));
        }
    }

    [Test]
    public void Same_key_bytes_under_another_id_still_fail_because_the_id_is_bound()
    {
        using var encryptor = new AesGcmCacheEncryptor(new CacheEncryptionKeySet(1, TestKeys.Keys((1, TestKeys.Key(5)), (2, TestKeys.Key(5)))));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(64), Aad);
        var writer = new ArrayBufferWriter<byte>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(2, encrypted, Aad, writer), Is.False);
            Assert.That(encryptor.TryDecrypt(1, encrypted, Aad, writer), Is.True);
        }
    }

    [TestCase("nonce", 0)]
    [TestCase("nonce", 11)]
    [TestCase("ciphertext", 12)]
    [TestCase("ciphertext", 12 + 63)]
    [TestCase("tag", 12 + 64)]
    [TestCase("tag", 12 + 64 + 15)]
    public void Tampering_with_any_byte_fails(string part, int index)
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(64), Aad);
        encrypted[index] ^= 0x01;
        var writer = new ArrayBufferWriter<byte>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(1, encrypted, Aad, writer), Is.False, part);
            Assert.That(writer.WrittenCount, Is.Zero, "nothing of an unauthenticated plaintext is handed out");
        }
    }

    [Test]
    public void Changed_associated_data_fails_so_an_entry_moved_to_another_key_is_unreadable()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(64), Aad);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(1, encrypted, TestKeys.Aad("rc:orders:43"), new ArrayBufferWriter<byte>()), Is.False);
            Assert.That(encryptor.TryDecrypt(1, encrypted, ReadOnlySpan<byte>.Empty, new ArrayBufferWriter<byte>()), Is.False);
        }
    }

    [Test]
    public void Long_associated_data_round_trips_and_is_checked()
    {
        // Over the stack limit (512 bytes): the pooled-array path.
        var aad = TestKeys.Payload(2000, seed: 7);
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var payload = TestKeys.Payload(300);
        var encrypted = Encrypt(encryptor, 1, payload, aad);
        var writer = new ArrayBufferWriter<byte>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(1, encrypted, aad, writer), Is.True);
            Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(payload));
            aad[1999] ^= 1;
            Assert.That(encryptor.TryDecrypt(1, encrypted, aad, new ArrayBufferWriter<byte>()), Is.False);
        }
    }

    [Test]
    public void Truncated_or_empty_input_fails()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(64), Aad);

        using (Assert.EnterMultipleScope())
        {
            for (var length = 0; length < encrypted.Length; length++)
            {
                Assert.That(encryptor.TryDecrypt(1, encrypted.AsSpan(0, length), Aad, new ArrayBufferWriter<byte>()), Is.False, $"first {length} bytes");
                Assert.That(encryptor.TryDecrypt(1, encrypted.AsSpan(encrypted.Length - length), Aad, new ArrayBufferWriter<byte>()), Is.False, $"last {length} bytes");
            }
        }
    }

    [Test]
    public void Decrypt_appends_to_what_the_writer_already_holds()
    {
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var payload = TestKeys.Payload(40);
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 0xAA, 0xBB });
        encryptor.Encrypt(1, payload, Aad, writer);

        var decrypted = new ArrayBufferWriter<byte>();
        decrypted.Write(new byte[] { 0xCC });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(1, writer.WrittenSpan[2..], Aad, decrypted), Is.True);
            Assert.That(decrypted.WrittenSpan[0], Is.EqualTo(0xCC));
            Assert.That(decrypted.WrittenSpan[1..].ToArray(), Is.EqualTo(payload));
        }
    }

    [Test]
    public void ToString_shows_ids_only()
    {
        var keys = TestKeys.Set(2, 1, 2);
        using var encryptor = new AesGcmCacheEncryptor(keys);
        _ = encryptor.ActiveKeyId;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.ToString(), Is.EqualTo("CacheEncryptionKeySet(active 2; keys 1, 2)"));
            Assert.That(encryptor.ToString(), Does.Contain("active 2").And.Not.Contain(TestKeys.Base64(1)).And.Not.Contain(TestKeys.Base64(2)));
        }
    }

    [Test]
    public void Key_set_rejects_bad_keys_without_showing_them()
    {
        var shortKey = new byte[16];
        shortKey[0] = 1;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new CacheEncryptionKeySet(1, TestKeys.Keys((1, shortKey))), Throws.ArgumentException.With.Message.Contains("16 bytes"));
            Assert.That(() => new CacheEncryptionKeySet(1, TestKeys.Keys((1, new byte[32]))), Throws.ArgumentException.With.Message.Contains("all zeros"));
            Assert.That(() => new CacheEncryptionKeySet(0, TestKeys.Keys((0, TestKeys.Key(1)))), Throws.ArgumentException.With.Message.Contains("reserved"));
            Assert.That(() => new CacheEncryptionKeySet(3, TestKeys.Keys((1, TestKeys.Key(1)))), Throws.ArgumentException.With.Message.Contains("active key id 3"));
        }
    }

    [Test]
    public void Key_set_copies_the_key_bytes()
    {
        var key = TestKeys.Key(1);
        using var encryptor = new AesGcmCacheEncryptor(new CacheEncryptionKeySet(1, TestKeys.Keys((1, key))));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(10), Aad);
        Array.Clear(key);

        Assert.That(encryptor.TryDecrypt(1, encrypted, Aad, new ArrayBufferWriter<byte>()), Is.True);
    }

    [Test]
    public void Disposed_encryptor_reads_nothing()
    {
        var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1));
        var encrypted = Encrypt(encryptor, 1, TestKeys.Payload(10), Aad);
        encryptor.Dispose();
        encryptor.Dispose();

        Assert.That(encryptor.TryDecrypt(1, encrypted, Aad, new ArrayBufferWriter<byte>()), Is.False);
    }

    internal static byte[] Encrypt(AesGcmCacheEncryptor encryptor, ushort keyId, byte[] payload, byte[] aad)
    {
        var writer = new ArrayBufferWriter<byte>();
        encryptor.Encrypt(keyId, payload, aad, writer);
        return writer.WrittenSpan.ToArray();
    }
}
