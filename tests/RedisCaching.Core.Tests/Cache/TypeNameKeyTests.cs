using System;
using System.Collections.Generic;
using NUnit.Framework;
using RedisCaching.Internal.Keys;

namespace RedisCaching.Core.Tests.Cache;

/// <summary><see cref="CacheKeys.TypeName{T}"/>: the key form of a type argument (the {T} placeholder of generic [Cached] methods).</summary>
public class TypeNameKeyTests
{
    [Test]
    public void Names_are_namespace_qualified_with_generic_arguments_in_braces()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CacheKeys.TypeName<int>(), Is.EqualTo("System.Int32"));
            Assert.That(CacheKeys.TypeName<int?>(), Is.EqualTo("System.Nullable{System.Int32}"));
            Assert.That(CacheKeys.TypeName<List<int>>(), Is.EqualTo("System.Collections.Generic.List{System.Int32}"));
            Assert.That(CacheKeys.TypeName<Dictionary<string, List<Guid>>>(), Is.EqualTo("System.Collections.Generic.Dictionary{System.String}{System.Collections.Generic.List{System.Guid}}"));
            Assert.That(CacheKeys.TypeName<int[]>(), Is.EqualTo("System.Int32{}"));
            Assert.That(CacheKeys.TypeName<int[,]>(), Is.EqualTo("System.Int32{2}"));
            Assert.That(CacheKeys.TypeName<Outer<long>.Inner>(), Is.EqualTo("RedisCaching.Core.Tests.Cache.TypeNameKeyTests+Outer+Inner{System.Int64}"));
        }
    }

    [Test]
    public void Different_types_never_share_a_name_and_names_pass_the_default_key_rules()
    {
        var names = new[]
        {
            CacheKeys.TypeName<List<int>>(), CacheKeys.TypeName<List<int[]>>(), CacheKeys.TypeName<List<int>[]>(),
            CacheKeys.TypeName<Dictionary<List<int>, int>>(), CacheKeys.TypeName<Dictionary<int, List<int>>>(),
            CacheKeys.TypeName<Outer<int>.Inner>(), CacheKeys.TypeName<Outer<Outer<int>.Inner>.Inner>(),
        };
        Assert.That(names, Is.Unique);
        var keys = new CacheKeyBuilder(new CacheKeyOptions());
        foreach (var name in names)
        {
            Assert.DoesNotThrow(() => keys.ToMemoryKey("parsed:" + name + ":1"), name);
        }
    }

    [Test]
    public void The_name_is_computed_once()
    {
        var first = CacheKeys.TypeName<Outer<decimal>.Inner>();
        Assert.That(CacheKeys.TypeName<Outer<decimal>.Inner>(), Is.SameAs(first));
    }

    [Test]
    public void Non_generic_form_agrees_with_the_generic_one()
    {
        Assert.That(TypeKeyName.Of(typeof(List<string>[])), Is.EqualTo(CacheKeys.TypeName<List<string>[]>()));
    }

    public sealed class Outer<T>
    {
        public sealed class Inner;
    }
}
