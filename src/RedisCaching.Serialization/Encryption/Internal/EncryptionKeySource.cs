namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>Where the keys come from, as the last <c>AddValueEncryption</c> call said (the validator checks configuration only when it is used).</summary>
internal sealed class EncryptionKeySource
{
    public static readonly EncryptionKeySource Configuration = new(fromConfiguration: true);

    public static readonly EncryptionKeySource Host = new(fromConfiguration: false);

    private EncryptionKeySource(bool fromConfiguration) => FromConfiguration = fromConfiguration;

    public bool FromConfiguration { get; }
}
