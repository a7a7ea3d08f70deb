using System;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// The configuration layer of <see cref="PatternInvalidationOptions"/>: <c>RedisCaching:Invalidation</c> of the app's
/// <see cref="IConfiguration"/> (when one is registered), before the code passed to <c>AddInvalidation</c>. Read by hand,
/// not by the reflection binder, so it stays AOT-safe; a bad value names its key.
/// </summary>
internal sealed class PatternInvalidationOptionsSetup(IServiceProvider services) : IConfigureOptions<PatternInvalidationOptions>
{
    public const string SectionName = "RedisCaching:Invalidation";

    public void Configure(PatternInvalidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (services.GetService<IConfiguration>()?.GetSection(SectionName) is not { } section)
        {
            return;
        }

        options.ScanCount = Int(section, nameof(options.ScanCount)) ?? options.ScanCount;
        options.MinScanCount = Int(section, nameof(options.MinScanCount)) ?? options.MinScanCount;
        options.MaxScannedKeysPerSecond = Int(section, nameof(options.MaxScannedKeysPerSecond)) ?? options.MaxScannedKeysPerSecond;
        options.LatencyBudget = Duration(section, nameof(options.LatencyBudget)) ?? options.LatencyBudget;
        options.PauseBetweenBatches = Duration(section, nameof(options.PauseBetweenBatches)) ?? options.PauseBetweenBatches;
        options.ProgressInterval = Duration(section, nameof(options.ProgressInterval)) ?? options.ProgressInterval;
    }

    private static int? Int(IConfigurationSection section, string key) =>
        section[key] is not { Length: > 0 } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new RedisCachingConfigurationException($"{SectionName}:{key}", $"{SectionName}:{key} must be a whole number; it is '{text}'.");

    private static TimeSpan? Duration(IConfigurationSection section, string key) =>
        section[key] is not { Length: > 0 } text ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw new RedisCachingConfigurationException($"{SectionName}:{key}", $"{SectionName}:{key} must be a duration such as 00:00:00.005; it is '{text}'.");
}
