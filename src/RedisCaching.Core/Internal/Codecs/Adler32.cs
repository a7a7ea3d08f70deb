using System;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// Adler-32 (RFC 1950, section 8), the checksum a zlib frame ends with. .NET's zlib reader does not say whether it
/// reached that trailer (a frame cut short just ends early), so the zlib codec checks the trailer itself against this
/// checksum of what came out.
/// </summary>
internal struct Adler32
{
    private const uint Modulus = 65521;

    // The most bytes the sums can take before they must be reduced without overflowing 32 bits (zlib's NMAX).
    private const int MaxRun = 5552;

    private uint _a;
    private uint _b;

    public Adler32()
    {
        _a = 1;
        _b = 0;
    }

    public readonly uint Value => (_b << 16) | _a;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint a = _a;
        uint b = _b;
        while (!data.IsEmpty)
        {
            var run = data[..Math.Min(data.Length, MaxRun)];
            foreach (var value in run)
            {
                a += value;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[run.Length..];
        }

        _a = a;
        _b = b;
    }
}
