namespace RedisCaching.Serialization.Encryption;

/// <summary>
/// Event ids of value encryption's log messages (2100-2199 of RedisCaching.Serialization's 2000-2999). Messages carry
/// key ids only, never key material.
/// </summary>
public static class EncryptionEventIds
{
    /// <summary>The encryptor loaded its first key set (active id and readable ids).</summary>
    public const int KeyRingLoaded = 2100;

    /// <summary>The key set changed at run time (rotation or reload): previous and new active id, readable ids.</summary>
    public const int KeyRingChanged = 2101;

    /// <summary>Reloaded configuration held invalid keys; the previous keys stay in use (the reason names the setting).</summary>
    public const int KeyReloadRejected = 2102;
}
