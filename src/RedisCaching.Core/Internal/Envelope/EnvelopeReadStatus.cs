namespace RedisCaching.Internal.Envelope;

/// <summary>Why an entry could or could not be read; everything but <see cref="Ok"/> is a counted miss.</summary>
internal enum EnvelopeReadStatus
{
    Ok,

    /// <summary>The bytes were not written by RedisCaching (another program, redis-cli, a truncated value).</summary>
    Foreign,

    /// <summary>Written by a newer RedisCaching with a format this version does not know.</summary>
    UnsupportedVersion,

    /// <summary>Our magic, but a header that does not hold together.</summary>
    Corrupt,
}
