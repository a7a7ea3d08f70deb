using System;
using System.Buffers;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Tests.Encryption;

public sealed class EncryptionConcurrencyTests
{
    [Test]
    public void Many_threads_encrypting_and_decrypting_at_once_get_correct_results()
    {
        const int Threads = 16;
        const int Rounds = 400;
        using var encryptor = new AesGcmCacheEncryptor(TestKeys.Set(1, 1, 2));
        var failures = 0;
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            var writer = new ArrayBufferWriter<byte>();
            var plain = new ArrayBufferWriter<byte>();
            start.SignalAndWait();
            for (var i = 0; i < Rounds; i++)
            {
                // Every thread and round has its own payload, key id and associated data, so a mix-up cannot pass.
                var payload = TestKeys.Payload(16 + ((t * Rounds) + i) % 3000, seed: (t * Rounds) + i);
                var aad = TestKeys.Aad($"rc:t{t}:{i}");
                var keyId = (ushort)(1 + (i % 2));
                writer.ResetWrittenCount();
                plain.ResetWrittenCount();
                encryptor.Encrypt(keyId, payload, aad, writer);
                if (!encryptor.TryDecrypt(keyId, writer.WrittenSpan, aad, plain) || !plain.WrittenSpan.SequenceEqual(payload))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        Assert.That(Task.WaitAll(workers, TimeSpan.FromMinutes(2)), Is.True, "workers finished");
        Assert.That(failures, Is.Zero);
    }

    [Test]
    public void Rotating_keys_while_threads_work_never_gives_wrong_plaintext()
    {
        const int Threads = 8;
        var provider = new SwappableKeyProvider(TestKeys.Set(1, 1, 2));
        using var encryptor = new AesGcmCacheEncryptor(provider);
        using var stop = new CancellationTokenSource();
        var wrong = 0;
        var done = 0L;

        var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            var writer = new ArrayBufferWriter<byte>();
            var plain = new ArrayBufferWriter<byte>();
            var aad = TestKeys.Aad($"rc:rotate:{t}");
            var payload = TestKeys.Payload(500, seed: t);
            while (!stop.IsCancellationRequested)
            {
                writer.ResetWrittenCount();
                plain.ResetWrittenCount();
                var keyId = encryptor.ActiveKeyId;
                encryptor.Encrypt(keyId, payload, aad, writer);

                // Both keys stay readable throughout, so every read must succeed with the right bytes.
                if (!encryptor.TryDecrypt(keyId, writer.WrittenSpan, aad, plain) || !plain.WrittenSpan.SequenceEqual(payload))
                {
                    Interlocked.Increment(ref wrong);
                }

                Interlocked.Increment(ref done);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        for (var i = 0; i < 200; i++)
        {
            provider.Publish(TestKeys.Set((ushort)(1 + (i % 2)), 1, 2));
            Thread.Sleep(1);
        }

        stop.Cancel();
        Assert.That(Task.WaitAll(workers, TimeSpan.FromMinutes(1)), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wrong, Is.Zero);
            Assert.That(Interlocked.Read(ref done), Is.GreaterThan(Threads));
        }
    }

    [Test]
    public void A_key_added_and_removed_while_threads_use_it_fails_cleanly_never_with_wrong_plaintext()
    {
        const int Threads = 6;
        var provider = new SwappableKeyProvider(TestKeys.Set(1, 1, 3));
        using var encryptor = new AesGcmCacheEncryptor(provider);
        using var stop = new CancellationTokenSource();
        var wrong = 0;
        var succeeded = 0L;

        var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            var writer = new ArrayBufferWriter<byte>();
            var plain = new ArrayBufferWriter<byte>();
            var aad = TestKeys.Aad($"rc:retire:{t}");
            var payload = TestKeys.Payload(300, seed: 100 + t);
            while (!stop.IsCancellationRequested)
            {
                writer.ResetWrittenCount();
                plain.ResetWrittenCount();
                try
                {
                    // Key 3 comes and goes: its pool is retired and rebuilt under these threads.
                    encryptor.Encrypt(3, payload, aad, writer);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    continue;
                }

                if (encryptor.TryDecrypt(3, writer.WrittenSpan, aad, plain))
                {
                    if (!plain.WrittenSpan.SequenceEqual(payload))
                    {
                        Interlocked.Increment(ref wrong);
                    }

                    Interlocked.Increment(ref succeeded);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        for (var i = 0; i < 300; i++)
        {
            provider.Publish(i % 2 == 0 ? TestKeys.Set(1, 1) : TestKeys.Set(1, 1, 3));
            Thread.Sleep(1);
        }

        stop.Cancel();
        Assert.That(Task.WaitAll(workers, TimeSpan.FromMinutes(1)), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wrong, Is.Zero);
            Assert.That(Interlocked.Read(ref succeeded), Is.Positive);
        }
    }
}
