using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Envelope;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The payload stages behind the envelope header: serialized, then compressed (when it is big enough and saves
/// enough), then encrypted; reads undo them in reverse. Memory always keeps the serialized bytes (stage one).
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// Writes the payload after the header already in <paramref name="entry"/>. Returns the serialized bytes (for
    /// memory): a slice of <paramref name="entry"/> when no later stage applies, else of <paramref name="scratch"/>,
    /// which the caller disposes after it used them.
    /// </summary>
    private ReadOnlyMemory<byte> WritePayload<T>(T value, EntryFormat<T> format, ICacheCompressor? compressor, ushort keyId, string redisKey, PooledBufferWriter entry, out PooledBufferWriter? scratch)
    {
        var headerLength = entry.WrittenCount;
        scratch = null;
        if (compressor is null && keyId == 0)
        {
            // The common case: straight into the entry, no copy.
            format.Serializer.Serialize(value, entry);
            return entry.WrittenMemory[headerLength..];
        }

        scratch = new PooledBufferWriter();
        format.Serializer.Serialize(value, scratch);
        var serialized = scratch.WrittenMemory;
        PooledBufferWriter? compressed = null;
        try
        {
            var stage = serialized.Span;
            if (compressor is not null && serialized.Length >= _codecs.Compression.ThresholdBytes)
            {
                compressed = new PooledBufferWriter(serialized.Length / 2);
                compressor.Compress(stage, compressed);
                if (Telemetry.CacheInstruments.CompressionRatio.Enabled)
                {
                    Telemetry.CacheInstruments.CompressionRatio.Record(
                        compressed.WrittenCount / (double)serialized.Length,
                        new System.Collections.Generic.KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, Name),
                        new System.Collections.Generic.KeyValuePair<string, object?>(RedisCachingTelemetry.CompressorTag, compressor.Name));
                }

                if (compressed.WrittenCount <= serialized.Length * (1 - _codecs.Compression.MinimumSavings))
                {
                    stage = compressed.WrittenMemory.Span;
                    entry.WrittenSpan[EnvelopeFormat.CompressorIdOffset] = compressor.Id;
                }
            }

            if (keyId == 0)
            {
                entry.Write(stage);
            }
            else
            {
                Encrypt(keyId, stage, redisKey, entry, headerLength);
            }
        }
        finally
        {
            compressed?.Dispose();
        }

        return serialized;
    }

    private void Encrypt(ushort keyId, ReadOnlySpan<byte> payload, string redisKey, PooledBufferWriter entry, int headerLength)
    {
        // The associated data is copied out first: the encryptor writes into the same buffer, which may move.
        var associated = ArrayPool<byte>.Shared.Rent(AssociatedDataLength(redisKey, headerLength));
        try
        {
            var length = WriteAssociatedData(redisKey, entry.WrittenSpan[..headerLength], associated);
            _codecs.Encryptor!.Encrypt(keyId, payload, associated.AsSpan(0, length), entry);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(associated);
        }
    }

    /// <summary>
    /// Undoes encryption and compression. On success <paramref name="payload"/> holds the serialized bytes, in
    /// <paramref name="owner"/> when a stage produced them (the caller disposes it), else in <paramref name="data"/>.
    /// </summary>
    /// <returns>Null on success, else why the entry cannot be read.</returns>
    private string? OpenPayload(in EnvelopeHeader header, ReadOnlyMemory<byte> data, int payloadOffset, in RedisKey redisKey, out ReadOnlyMemory<byte> payload, out PooledBufferWriter? owner)
    {
        payload = data[payloadOffset..];
        owner = null;
        if (header.EncryptionKeyId != 0)
        {
            var decrypted = new PooledBufferWriter(payload.Length);
            // The key as a string only here: encryption authenticates it (the GET itself needs none, see CacheKeyBuilder.QualifiedKey).
            if (!TryDecrypt(header.EncryptionKeyId, payload.Span, (string)redisKey!, data.Span[..payloadOffset], decrypted))
            {
                decrypted.Dispose();
                return "cannot be decrypted (unknown key, tampered, or moved from another key)";
            }

            owner = decrypted;
            payload = decrypted.WrittenMemory;
        }

        if (header.CompressorId == 0)
        {
            return null;
        }

        var reason = Decompress(header.CompressorId, payload.Span, out var decompressed);
        owner?.Dispose();
        owner = decompressed;
        payload = decompressed?.WrittenMemory ?? default;
        return reason;
    }

    private bool TryDecrypt(ushort keyId, ReadOnlySpan<byte> ciphertext, string redisKey, ReadOnlySpan<byte> header, PooledBufferWriter destination)
    {
        if (_codecs.Encryptor is not { } encryptor)
        {
            return false;
        }

        var associated = ArrayPool<byte>.Shared.Rent(AssociatedDataLength(redisKey, header.Length));
        try
        {
            var length = WriteAssociatedData(redisKey, header, associated);
            return encryptor.TryDecrypt(keyId, ciphertext, associated.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(associated);
        }
    }

    private string? Decompress(byte compressorId, ReadOnlySpan<byte> frame, out PooledBufferWriter? output)
    {
        output = null;
        if (_codecs.CompressorById(compressorId) is not { } compressor)
        {
            return "compressed with a codec this app does not have (id " + compressorId + ")";
        }

        var destination = PooledBufferWriter.ForDecompression(frame.Length, _codecs.Compression.MaxDecompressedBytes);
        var result = compressor.Decompress(frame, destination, _codecs.Compression.MaxDecompressedBytes);
        if (result == DecompressionResult.Done)
        {
            output = destination;
            return null;
        }

        destination.Dispose();
        return result == DecompressionResult.TooLarge ? "decompresses beyond Compression:MaxDecompressedBytes" : "corrupt compressed payload";
    }

    private static int AssociatedDataLength(string redisKey, int headerLength) => 2 + Encoding.UTF8.GetMaxByteCount(redisKey.Length) + headerLength;

    /// <summary>
    /// What encryption authenticates besides the payload: the Redis key (so an entry copied under another key does
    /// not decrypt) and the whole header (so no expiry, tag or id in it can be changed). Layout: u16 key length,
    /// key UTF-8, header.
    /// </summary>
    private static int WriteAssociatedData(string redisKey, ReadOnlySpan<byte> header, Span<byte> target)
    {
        var keyLength = Encoding.UTF8.GetBytes(redisKey, target[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)keyLength);
        header.CopyTo(target[(2 + keyLength)..]);
        return 2 + keyLength + header.Length;
    }
}
