using System.Text;
using NUnit.Framework;
using RedisCaching.Internal.Keys;

namespace RedisCaching.Core.Tests.Cache;

public class KeyBuilderTests
{
    [Test]
    public void Parts_are_joined_in_order_and_the_tracking_prefix_is_the_first_part()
    {
        var builder = new CacheKeyBuilder(new CacheKeyOptions { Prefix = "app", Environment = "prod", Tenant = "t1", Namespace = "docs", Version = "3" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(builder.ToRedisKey("user:42"), Is.EqualTo("app:prod:t1:docs:v3:user:42"));
            Assert.That(builder.TrackingPrefix, Is.EqualTo("app:"));
            Assert.That(new CacheKeyBuilder(new CacheKeyOptions()).ToRedisKey("k"), Is.EqualTo("rc:k"));
        }
    }

    [TestCase("", "empty")]
    [TestCase("has space", "characters")]
    [TestCase("tab\tkey", "characters")]
    [TestCase("ünicode", "characters")]
    public void Bad_keys_name_the_rule(string key, string rule)
    {
        var error = Assert.Throws<CacheKeyException>(() => new CacheKeyBuilder(new CacheKeyOptions()).ToRedisKey(key));
        Assert.That(error!.Rule, Is.EqualTo(rule));
    }

    [Test]
    public void Long_keys_are_rejected_or_hashed_with_a_readable_prefix()
    {
        var longKey = new string('a', 300);
        var error = Assert.Throws<CacheKeyException>(() => new CacheKeyBuilder(new CacheKeyOptions()).ToRedisKey(longKey));
        Assert.That(error!.Rule, Is.EqualTo("length"));

        var hashing = new CacheKeyBuilder(new CacheKeyOptions { HashLongKeys = true });
        var hashed = hashing.ToRedisKey(longKey);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hashed, Does.StartWith("rc:" + new string('a', 64) + "#sha256:"));
            Assert.That(hashed, Has.Length.EqualTo(3 + 64 + 8 + 64));
            Assert.That(() => hashing.ToRedisKey(hashed[3..]), Throws.TypeOf<CacheKeyException>().With.Property("Rule").EqualTo("reserved"), "a caller cannot name another key's hash");
            Assert.That(hashing.ToRedisKey(longKey + "b"), Is.Not.EqualTo(hashed), "different keys never share a hash");
        }
    }

    [Test]
    public void Content_hash_keys_depend_only_on_the_bytes()
    {
        var a = CacheKeys.ContentHash("ocr", Encoding.UTF8.GetBytes("document one"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Does.StartWith("ocr:sha256:").And.Length.EqualTo(11 + 64));
            Assert.That(CacheKeys.ContentHash("ocr", Encoding.UTF8.GetBytes("document one")), Is.EqualTo(a));
            Assert.That(CacheKeys.ContentHash("ocr", Encoding.UTF8.GetBytes("document two")), Is.Not.EqualTo(a));
        }
    }

    [Test]
    public void A_prefix_with_a_colon_is_a_configuration_error()
    {
        Assert.That(() => new CacheKeyBuilder(new CacheKeyOptions { Prefix = "a:b" }), Throws.TypeOf<RedisCachingConfigurationException>());
    }
}
