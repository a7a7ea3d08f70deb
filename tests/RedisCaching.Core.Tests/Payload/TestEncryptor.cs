using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// A plain AES-GCM encryptor for the engine's tests (the product one, with its key ring, is in
/// RedisCaching.Serialization): nonce | ciphertext | tag, random test keys per id.
/// </summary>
internal sealed class TestEncryptor : ICacheEncryptor
{
    private readonly Dictionary<ushort, byte[]> _keys = [];

    public TestEncryptor(params ushort[] keyIds)
    {
        foreach (var id in keyIds)
        {
            _keys[id] = RandomNumberGenerator.GetBytes(32);
        }

        ActiveKeyId = keyIds[0];
    }

    public ushort ActiveKeyId { get; set; }

    public int Decryptions { get; private set; }

    public void Encrypt(ushort keyId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(12 + plaintext.Length + 16);
        RandomNumberGenerator.Fill(span[..12]);
        using var aes = new AesGcm(_keys[keyId], 16);
        aes.Encrypt(span[..12], plaintext, span.Slice(12, plaintext.Length), span.Slice(12 + plaintext.Length, 16), associatedData);
        destination.Advance(12 + plaintext.Length + 16);
    }

    public bool TryDecrypt(ushort keyId, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, IBufferWriter<byte> destination)
    {
        Decryptions++;
        if (!_keys.TryGetValue(keyId, out var key) || ciphertext.Length < 28)
        {
            return false;
        }

        var length = ciphertext.Length - 28;
        var span = destination.GetSpan(Math.Max(length, 1));
        using var aes = new AesGcm(key, 16);
        try
        {
            aes.Decrypt(ciphertext[..12], ciphertext.Slice(12, length), ciphertext[^16..], span[..length], associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        destination.Advance(length);
        return true;
    }
}
