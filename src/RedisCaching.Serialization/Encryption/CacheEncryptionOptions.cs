using System;
using System.Collections.Generic;
using System.Globalization;

namespace RedisCaching.Serialization.Encryption;

/// <summary>
/// Value encryption keys from configuration (section <c>RedisCaching:Encryption</c>), validated at start-up and
/// reloaded when the configuration reloads.
/// </summary>
/// <example>
/// <code>
/// "RedisCaching": { "Encryption": { "ActiveKeyId": 2, "Keys": { "1": "&lt;base64 of 32 bytes&gt;", "2": "&lt;base64&gt;" } } }
/// </code>
/// </example>
public sealed class CacheEncryptionOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "RedisCaching:Encryption";

    /// <summary>The id (1-65535) of the key new entries are encrypted with; it must be one of <see cref="Keys"/>.</summary>
    /// <value>The default value is 0: not set, which fails validation.</value>
    public int ActiveKeyId { get; set; }

    /// <summary>
    /// Readable keys: the key id (1-65535, in decimal) to the base64 of 32 random bytes (for example from
    /// <c>openssl rand -base64 32</c>). Keep a retired key here until the entries written with it have expired.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Set when the configured <c>ActiveKeyId</c> was not a whole number (reported by validation).</summary>
    internal bool ActiveKeyIdUnreadable { get; set; }

    /// <summary>The active id and the number of keys; never key material.</summary>
    /// <returns>For example <c>CacheEncryptionOptions(ActiveKeyId 2, 2 key(s))</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"CacheEncryptionOptions(ActiveKeyId {ActiveKeyId}, {Keys.Count} key(s))");
}
