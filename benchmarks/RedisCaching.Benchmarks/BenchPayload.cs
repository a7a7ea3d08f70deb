namespace RedisCaching.Benchmarks;

/// <summary>Deterministic values, so every run stores and reads the same bytes.</summary>
internal static class BenchPayload
{
    public static byte[] Create(int size)
    {
        var bytes = new byte[size];
        for (int i = 0; i < bytes.Length; i++)
        {
            // Not all one byte value, so nothing along the way can special-case it.
            bytes[i] = (byte)((i * 31) + 7);
        }

        return bytes;
    }

    public static string Key(string suite, int size) => $"rediscaching:bench:{suite}:{size}";
}
