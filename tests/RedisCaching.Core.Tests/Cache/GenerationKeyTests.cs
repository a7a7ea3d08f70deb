using NUnit.Framework;
using RedisCaching.Internal.Keys;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Keys:Generations: where entries live, and how invalidations of any generation map back to memory keys.</summary>
public class GenerationKeyTests
{
    [Test]
    public void Entries_carry_the_generation_and_internal_keys_do_not()
    {
        var keys = new CacheKeyBuilder(new CacheKeyOptions { Prefix = "app", Namespace = "docs", Version = "3", Generations = true });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.UsesGenerations, Is.True);
            Assert.That(keys.KeyPrefix, Is.EqualTo("app:docs:v3:"));
            Assert.That(keys.EntryPrefix(0x1234), Is.EqualTo("app:docs:v3:g0000000000001234:"));
            Assert.That(keys.EntryPrefix(-1), Is.EqualTo("app:docs:v3:gffffffffffffffff:"));
            var first = keys.EntryPrefix(0x1234);
            Assert.That(keys.EntryPrefix(0x1234), Is.SameAs(first), "built once per generation");
            Assert.That(keys.Qualify(CacheKeyBuilder.GenerationKey), Is.EqualTo("app:docs:v3:!generation"));
            Assert.That(keys.Qualify(keys.ToTagKey("t")), Is.EqualTo("app:docs:v3:!tag:t"));
        }
    }

    [Test]
    public void An_invalidation_of_any_generation_maps_to_the_memory_key()
    {
        var keys = new CacheKeyBuilder(new CacheKeyOptions { Prefix = "app", Generations = true });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.ToMemoryKeyOf("app:g0000000000001234:user:1"), Is.EqualTo("user:1"));
            Assert.That(keys.ToMemoryKeyOf("app:gffffffffffffffff:user:1"), Is.EqualTo("user:1"));
            Assert.That(keys.ToMemoryKeyOf("app:!generation"), Is.EqualTo(CacheKeyBuilder.GenerationKey));
            Assert.That(keys.ToMemoryKeyOf("app:!tag:x"), Is.EqualTo("!tag:x"));
            Assert.That(keys.ToMemoryKeyOf("app:user:1"), Is.Null, "not an entry of any generation");
            Assert.That(keys.ToMemoryKeyOf("other:g1:user:1"), Is.Null);
        }
    }

    [Test]
    public void Without_generations_nothing_changes()
    {
        var keys = new CacheKeyBuilder(new CacheKeyOptions { Prefix = "app" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.UsesGenerations, Is.False);
            Assert.That(keys.ToRedisKey("g1:k"), Is.EqualTo("app:g1:k"));
            Assert.That(keys.ToMemoryKeyOf("app:g1:k"), Is.EqualTo("g1:k"));
        }
    }
}
