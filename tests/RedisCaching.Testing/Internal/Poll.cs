using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>Waits for a topology to reach a state, asking its nodes again and again.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Runs <paramref name="check"/> until it returns null (the state is reached); otherwise it returns what is
    /// still missing, which the <see cref="TimeoutException"/> reports. A node that does not answer (it is down,
    /// or starting) is just "not yet".
    /// </summary>
    public static async Task UntilAsync(string what, TimeSpan timeout, Func<Task<string?>> check)
    {
        var clock = Stopwatch.StartNew();
        string? missing;
        while (true)
        {
            try
            {
                missing = await check().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FormatException)
            {
                missing = ex.Message;
            }

            if (missing is null)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"{what}: not reached within {timeout.TotalSeconds:0.#} s; last seen: {missing}"));
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }
}
