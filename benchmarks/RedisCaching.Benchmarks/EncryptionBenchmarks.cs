using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Benchmarks;

/// <summary>
/// Value encryption cost (no Redis): <see cref="AesGcmCacheEncryptor"/> encrypting and decrypting ~200 B, ~4 KB and
/// ~256 KB payloads into a reused writer, against the floor of one bare <see cref="AesGcm"/> instance with a fixed nonce
/// (the baseline), so the Ratio column is what the key ring, the pooled instances, the random nonce and the key-id
/// binding add. MB/s = payload size / median time.
/// </summary>
[NoRedis]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EncryptionBenchmarks
{
    private static readonly byte[] AssociatedData = "rc:bench:encryption:key|envelope-header"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _writer = new();
    private readonly byte[] _nonce = new byte[AesGcmCacheEncryptor.NonceSize];
    private readonly byte[] _tag = new byte[AesGcmCacheEncryptor.TagSize];
    private AesGcmCacheEncryptor _encryptor = null!;
    private AesGcm _bare = null!;
    private byte[] _payload = [];
    private byte[] _encrypted = [];
    private byte[] _bareCiphertext = [];
    private byte[] _barePlaintext = [];

    [Params(200, 4096, 256 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Benchmark-only key; nothing it encrypts is kept.
        var key = RandomNumberGenerator.GetBytes(CacheEncryptionKeySet.KeySizeInBytes);
        _encryptor = new AesGcmCacheEncryptor(new CacheEncryptionKeySet(1, new Dictionary<ushort, byte[]> { [1] = key }));
        _bare = new AesGcm(key, AesGcmCacheEncryptor.TagSize);
        _payload = RandomNumberGenerator.GetBytes(Size);
        _bareCiphertext = new byte[Size];
        _barePlaintext = new byte[Size];
        _bare.Encrypt(_nonce, _payload, _bareCiphertext, _tag, AssociatedData);

        _encryptor.Encrypt(1, _payload, AssociatedData, _writer);
        _encrypted = _writer.WrittenSpan.ToArray();
        _writer.ResetWrittenCount();
        if (!_encryptor.TryDecrypt(1, _encrypted, AssociatedData, _writer) || !_writer.WrittenSpan.SequenceEqual(_payload))
        {
            throw new InvalidOperationException("The encryptor did not round-trip the payload.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encryptor.Dispose();
        _bare.Dispose();
    }

    [Benchmark(Baseline = true, Description = "AesGcm (bare, fixed nonce)")]
    [BenchmarkCategory("Encrypt")]
    public void EncryptBare() => _bare.Encrypt(_nonce, _payload, _bareCiphertext, _tag, AssociatedData);

    [Benchmark(Description = "AesGcmCacheEncryptor")]
    [BenchmarkCategory("Encrypt")]
    public int Encrypt()
    {
        _writer.ResetWrittenCount();
        _encryptor.Encrypt(1, _payload, AssociatedData, _writer);
        return _writer.WrittenCount;
    }

    [Benchmark(Baseline = true, Description = "AesGcm (bare, fixed nonce)")]
    [BenchmarkCategory("Decrypt")]
    public void DecryptBare() => _bare.Decrypt(_nonce, _bareCiphertext, _tag, _barePlaintext, AssociatedData);

    [Benchmark(Description = "AesGcmCacheEncryptor")]
    [BenchmarkCategory("Decrypt")]
    public bool Decrypt()
    {
        _writer.ResetWrittenCount();
        return _encryptor.TryDecrypt(1, _encrypted, AssociatedData, _writer);
    }
}
