using Microsoft.Extensions.Logging;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Internal;

/// <summary>Value encryption's log messages: key ids and setting names only, never key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EncryptionEventIds.KeyRingLoaded, LogLevel.Information, "Value encryption keys loaded: active key {ActiveKeyId}, readable keys {KeyIds}")]
    public static partial void KeyRingLoaded(ILogger logger, ushort activeKeyId, string keyIds);

    [LoggerMessage(EncryptionEventIds.KeyRingChanged, LogLevel.Information, "Value encryption keys changed: active key {PreviousActiveKeyId} -> {ActiveKeyId}, readable keys {KeyIds}")]
    public static partial void KeyRingChanged(ILogger logger, ushort previousActiveKeyId, ushort activeKeyId, string keyIds);

    [LoggerMessage(EncryptionEventIds.KeyReloadRejected, LogLevel.Error, "Reloaded value encryption keys are invalid; the previous keys stay in use: {Reason}")]
    public static partial void KeyReloadRejected(ILogger logger, string reason);
}
