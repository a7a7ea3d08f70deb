using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Keys;

namespace RedisCaching;

/// <summary>Helpers that build cache keys.</summary>
public static class CacheKeys
{
    /// <summary>
    /// A key for a result computed from a document: <c>{kind}:sha256:{hex}</c> of the document's bytes, so the same
    /// document always maps to the same entry whatever its name, and a changed document never reads an old result.
    /// </summary>
    /// <param name="kind">What is cached about the document, e.g. <c>ocr</c> or <c>extraction</c>.</param>
    /// <param name="document">The document's bytes.</param>
    /// <returns>The key.</returns>
    public static string ContentHash(string kind, ReadOnlySpan<byte> document)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        return string.Concat(kind, ":sha256:", Convert.ToHexStringLower(SHA256.HashData(document)));
    }

    /// <summary>Like <see cref="ContentHash(string, ReadOnlySpan{byte})"/> for a document read from a stream (not buffered whole).</summary>
    /// <param name="kind">What is cached about the document.</param>
    /// <param name="document">The document; read to its end.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The key.</returns>
    public static async ValueTask<string> ContentHashAsync(string kind, Stream document, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var hash = await SHA256.HashDataAsync(document, cancellationToken).ConfigureAwait(false);
        return string.Concat(kind, ":sha256:", Convert.ToHexStringLower(hash));
    }

    /// <summary>
    /// The key form of <typeparamref name="T"/>, for keys that must tell type arguments apart (the <c>{T}</c> placeholder of
    /// a generic <c>[Cached]</c> method): the namespace-qualified name, each generic argument in braces, no assembly
    /// name or version, e.g. <c>System.Collections.Generic.List{System.Int32}</c>. Computed once per type; no
    /// allocation after the first call.
    /// </summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <returns>The type's key form.</returns>
    public static string TypeName<T>() => TypeKeyName<T>.Value;
}
