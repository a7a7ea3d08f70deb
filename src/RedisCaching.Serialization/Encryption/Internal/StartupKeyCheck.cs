namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// An options type that exists only to be validated once at start-up (<c>ValidateOnStart</c>). The validation is
/// attached here and not to <see cref="CacheEncryptionOptions"/> on purpose: a validator on the reloadable options
/// would throw out of every configuration reload that holds a bad key (into the file watcher or the vault's refresh
/// thread), and <see cref="OptionsKeyProvider"/> would never see the reload to log it and keep the previous keys.
/// </summary>
internal sealed class StartupKeyCheck
{
}
