using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// Turns <see cref="CacheEncryptionOptions"/> into a <see cref="CacheEncryptionKeySet"/>, or into messages that name the
/// setting at fault and say what to fix. Messages never contain key material, not even part of it.
/// </summary>
internal static class CacheEncryptionOptionsReader
{
    private const string Section = CacheEncryptionOptions.SectionName;
    private const string Generate = "e.g. the output of `openssl rand -base64 32`";

    public static CacheEncryptionKeySet? TryCreate(CacheEncryptionOptions options, List<string> errors)
    {
        var keys = ReadKeys(options, errors);
        ReadActiveKeyId(options, keys, errors);
        try
        {
            return errors.Count == 0 ? new CacheEncryptionKeySet((ushort)options.ActiveKeyId, keys) : null;
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    private static Dictionary<ushort, byte[]> ReadKeys(CacheEncryptionOptions options, List<string> errors)
    {
        var keys = new Dictionary<ushort, byte[]>();
        foreach (var (name, value) in options.Keys.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            var setting = $"{Section}:Keys:{name}";
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > ushort.MaxValue)
            {
                errors.Add($"{setting}: the key id must be a whole number from 1 to 65535 (0 means \"not encrypted\" in the entry header).");
                continue;
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{setting} is empty: set it to the base64 of 32 random bytes ({Generate}).");
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                // The FormatException is not kept: nothing of the value may reach a log.
                errors.Add($"{setting} is not valid base64: set it to the base64 of 32 random bytes ({Generate}).");
                continue;
            }

            if (bytes.Length != CacheEncryptionKeySet.KeySizeInBytes || !bytes.AsSpan().ContainsAnyExcept((byte)0))
            {
                errors.Add(bytes.Length != CacheEncryptionKeySet.KeySizeInBytes
                    ? string.Create(CultureInfo.InvariantCulture, $"{setting} decodes to {bytes.Length} bytes; AES-256 needs exactly 32 ({Generate}).")
                    : $"{setting} is all zeros (a placeholder?): set it to the base64 of 32 random bytes ({Generate}).");
                CryptographicOperations.ZeroMemory(bytes);
                continue;
            }

            if (!keys.TryAdd((ushort)id, bytes))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{setting} names key {id} a second time (ids are compared as numbers): keep one of them."));
                CryptographicOperations.ZeroMemory(bytes);
            }
        }

        return keys;
    }

    private static void ReadActiveKeyId(CacheEncryptionOptions options, Dictionary<ushort, byte[]> keys, List<string> errors)
    {
        var setting = $"{Section}:ActiveKeyId";
        if (options.ActiveKeyIdUnreadable || options.ActiveKeyId is < 0 or > ushort.MaxValue)
        {
            errors.Add($"{setting} must be a whole number from 1 to 65535: the id of one of {Section}:Keys.");
        }
        else if (options.ActiveKeyId == 0)
        {
            errors.Add($"{setting} is missing or 0: set it to the id (1-65535) of the key new entries are encrypted with, one of {Section}:Keys.");
        }
        else if (!keys.ContainsKey((ushort)options.ActiveKeyId) && !options.Keys.Keys.Any(name => IsId(name, options.ActiveKeyId)))
        {
            var known = keys.Count == 0 ? "none" : CacheEncryptionKeySet.DescribeIds(keys.Keys.Order());
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{setting} is {options.ActiveKeyId}, but {Section}:Keys has no key {options.ActiveKeyId} (valid ids: {known}): add {Section}:Keys:{options.ActiveKeyId} or make an existing key active."));
        }
    }

    // An active id whose key is present but invalid is reported once, under the key's own setting.
    private static bool IsId(string name, int id) =>
        int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed == id;
}
