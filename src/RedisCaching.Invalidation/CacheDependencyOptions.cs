using System;

namespace RedisCaching.Invalidation;

/// <summary>Limits of <see cref="ICacheDependencies"/>; set with <c>services.Configure&lt;CacheDependencyOptions&gt;(…)</c>, validated at start-up.</summary>
public sealed class CacheDependencyOptions
{
    /// <summary>
    /// The longest chain an entry may end: an entry without dependencies has depth 0, one that depends on entries has
    /// one more than the deepest of them. A write past it throws <see cref="CacheDependencyException"/>.
    /// </summary>
    /// <value>The default value is 8.</value>
    public int MaxDepth { get; set; } = 8;

    /// <summary>
    /// The most tags an entry may carry once its dependencies' are added (every read checks each tag's token, in
    /// memory on a memory hit). A write past it throws <see cref="CacheDependencyException"/>.
    /// </summary>
    /// <value>The default value is 32.</value>
    public int MaxTags { get; set; } = 32;

    /// <summary>Checks the values; the message names the setting at fault.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxDepth < 1)
        {
            throw new ArgumentException("CacheDependencyOptions.MaxDepth must be at least 1.", nameof(MaxDepth));
        }

        if (MaxTags < 1)
        {
            throw new ArgumentException("CacheDependencyOptions.MaxTags must be at least 1.", nameof(MaxTags));
        }
    }
}
