using System.Buffers;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Tests.Encryption;

public sealed class KeyRotationTests
{
    private static readonly byte[] Aad = TestKeys.Aad("rc:users:7");

    [Test]
    public void Rotation_without_downtime_then_removing_the_old_key()
    {
        var provider = new SwappableKeyProvider(TestKeys.Set(1, 1));
        using var encryptor = new AesGcmCacheEncryptor(provider);
        var payload = TestKeys.Payload(128);
        var written1 = AesGcmCacheEncryptorTests.Encrypt(encryptor, encryptor.ActiveKeyId, payload, Aad);

        // Step 1: key 2 readable everywhere, key 1 still active.
        provider.Publish(TestKeys.Set(1, 1, 2));
        Assert.That(encryptor.ActiveKeyId, Is.EqualTo(1));

        // Step 2: key 2 active; entries written with key 1 stay readable.
        provider.Publish(TestKeys.Set(2, 1, 2));
        var active = encryptor.ActiveKeyId;
        var written2 = AesGcmCacheEncryptorTests.Encrypt(encryptor, active, payload, Aad);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(active, Is.EqualTo(2));
            Assert.That(Decrypt(encryptor, 1, written1), Is.EqualTo(payload));
            Assert.That(Decrypt(encryptor, 2, written2), Is.EqualTo(payload));
        }

        // Step 3: once key 1's entries have expired, key 1 is removed: what is left of them is a miss.
        provider.Publish(TestKeys.Set(2, 2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.TryDecrypt(1, written1, Aad, new ArrayBufferWriter<byte>()), Is.False);
            Assert.That(Decrypt(encryptor, 2, written2), Is.EqualTo(payload));
        }
    }

    [Test]
    public void Provider_changing_its_active_key_at_run_time_is_picked_up_on_the_next_call()
    {
        var provider = new SwappableKeyProvider(TestKeys.Set(1, 1, 2));
        using var encryptor = new AesGcmCacheEncryptor(provider);
        Assert.That(encryptor.ActiveKeyId, Is.EqualTo(1));

        provider.Publish(TestKeys.Set(2, 1, 2));
        Assert.That(encryptor.ActiveKeyId, Is.EqualTo(2));

        provider.Publish(TestKeys.Set(1, 1, 2));
        Assert.That(encryptor.ActiveKeyId, Is.EqualTo(1));
    }

    [Test]
    public void A_key_id_whose_bytes_were_replaced_no_longer_reads_old_entries()
    {
        var provider = new SwappableKeyProvider(TestKeys.Set(1, 1));
        using var encryptor = new AesGcmCacheEncryptor(provider);
        var written = AesGcmCacheEncryptorTests.Encrypt(encryptor, 1, TestKeys.Payload(32), Aad);

        provider.Publish(new CacheEncryptionKeySet(1, TestKeys.Keys((1, TestKeys.Key(100)))));

        Assert.That(encryptor.TryDecrypt(1, written, Aad, new ArrayBufferWriter<byte>()), Is.False);
    }

    [Test]
    public void Entries_written_before_a_key_came_back_are_readable_again()
    {
        var provider = new SwappableKeyProvider(TestKeys.Set(1, 1, 2));
        using var encryptor = new AesGcmCacheEncryptor(provider);
        var payload = TestKeys.Payload(32);
        var written = AesGcmCacheEncryptorTests.Encrypt(encryptor, 1, payload, Aad);

        provider.Publish(TestKeys.Set(2, 2));
        Assert.That(encryptor.TryDecrypt(1, written, Aad, new ArrayBufferWriter<byte>()), Is.False);

        provider.Publish(TestKeys.Set(2, 1, 2));
        Assert.That(Decrypt(encryptor, 1, written), Is.EqualTo(payload));
    }

    private static byte[] Decrypt(AesGcmCacheEncryptor encryptor, ushort keyId, byte[] encrypted)
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.That(encryptor.TryDecrypt(keyId, encrypted, Aad, writer), Is.True, $"decrypt with key {keyId}");
        return writer.WrittenSpan.ToArray();
    }
}
