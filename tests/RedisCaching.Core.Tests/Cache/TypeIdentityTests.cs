using System;
using System.Collections.Generic;
using NUnit.Framework;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// The type identity and fingerprint entries record. Both are part of the stored format: a change of either turns
/// every stored entry into a miss, so known values are pinned here (computed independently of this code).
/// </summary>
public class TypeIdentityTests
{
    [TestCase(typeof(string), "System.String")]
    [TestCase(typeof(int?), "System.Int32")]
    [TestCase(typeof(int[]), "System.Int32[]")]
    [TestCase(typeof(int[,]), "System.Int32[,]")]
    [TestCase(typeof(List<int?>), "System.Collections.Generic.List`1<System.Int32>")]
    [TestCase(typeof(Dictionary<string, List<Line>>), "System.Collections.Generic.Dictionary`2<System.String,System.Collections.Generic.List`1<RedisCaching.Core.Tests.Cache.TypeIdentityTests+Line>>")]
    [TestCase(typeof(Line), "RedisCaching.Core.Tests.Cache.TypeIdentityTests+Line")]
    public void Identity_is_the_namespace_qualified_name_with_generic_arguments_and_no_assembly(Type type, string expected) =>
        Assert.That(TypeIdentity.Of(type), Is.EqualTo(expected));

    [TestCase("System.String", 4201364391u)]
    [TestCase("System.Int32", 4180476474u)]
    [TestCase("System.Collections.Generic.List`1<System.Int32>", 1520620074u)]
    [TestCase("Golden.Document", 0x1F624763u)]
    public void Fingerprint_is_fnv1a_32_of_the_utf8_identity(string identity, uint expected) =>
        Assert.That(TypeIdentity.Fingerprint(identity), Is.EqualTo(expected));

    [Test]
    public void A_type_and_its_nullable_share_a_fingerprint_and_other_types_do_not()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TypeFingerprint<int?>.Value, Is.EqualTo(TypeFingerprint<int>.Value));
            Assert.That(TypeFingerprint<long>.Value, Is.Not.EqualTo(TypeFingerprint<int>.Value));
            Assert.That(TypeFingerprint<List<string>>.Value, Is.Not.EqualTo(TypeFingerprint<List<int>>.Value));
            Assert.That(TypeFingerprint<string>.Value, Is.EqualTo(4201364391u));
        }
    }

    internal sealed record Line(string Sku);
}
