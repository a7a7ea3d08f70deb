using Microsoft.Extensions.Configuration;

namespace RedisCaching.Internal;

/// <summary>A named cache's section, <c>RedisCaching:Caches:{name}</c>: the same Keys, Memory, Defaults and Profiles as the main section.</summary>
internal static partial class ConfigurationSectionReader
{
    public const string NamedCachesSectionPath = RedisCachingOptions.SectionName + ":" + NamedCacheOptions.SectionName;

    public static void ApplyNamedCache(IConfiguration configuration, string name, NamedCacheOptions options)
    {
        var section = configuration.GetSection(NamedCachesSectionPath).GetSection(name);
        if (!section.Exists())
        {
            return;
        }

        ApplyKeys(new SectionValues(section.GetSection("Keys")), options.Keys);
        ApplyMemory(new SectionValues(section.GetSection("Memory")), options.Memory);
        options.DefaultEntryOptions = ReadEntry(new SectionValues(section.GetSection("Defaults")), options.DefaultEntryOptions);
        ApplyProfiles(section.GetSection("Profiles"), options.Profiles);
    }
}
