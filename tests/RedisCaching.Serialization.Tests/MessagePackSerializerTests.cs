using System;
using System.Buffers;
using System.Collections.Generic;
using MessagePack;
using MessagePack.Resolvers;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;
using RedisCaching.Serialization.Tests.Support;

namespace RedisCaching.Serialization.Tests;

public sealed class MessagePackSerializerTests
{
    private static readonly MessagePackCacheSerializerProvider Provider = MessagePackCacheSerializerProvider.CreateDynamic();

    private static T RoundTrip<T>(MessagePackCacheSerializerProvider provider, T value)
    {
        var writer = new ArrayBufferWriter<byte>();
        ICacheSerializer<T> serializer = provider.GetSerializer<T>();
        serializer.Serialize(value, writer);
        return serializer.Deserialize(new ReadOnlySequence<byte>(writer.WrittenMemory));
    }

    [Test]
    public void Provider_is_messagepack_with_id_3()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Provider.Id, Is.EqualTo(3));
            Assert.That(Provider.Name, Is.EqualTo("messagepack"));
        }
    }

    [TestCase(Orders.SmallItems)]
    [TestCase(Orders.MediumItems)]
    [TestCase(Orders.LargeItems)]
    public void Orders_of_each_size_round_trip(int items)
    {
        Order order = Orders.Create(items);
        Assert.That(RoundTrip(Provider, order), Is.EqualTo(order).UsingPropertiesComparer());
    }

    [Test]
    public void Strings_collections_and_nullables_round_trip()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RoundTrip(Provider, "héllo wörld ✓"), Is.EqualTo("héllo wörld ✓"));
            Assert.That(RoundTrip<string?>(Provider, null), Is.Null);
            Assert.That(RoundTrip<int?>(Provider, null), Is.Null);
            Assert.That(RoundTrip<int?>(Provider, 7), Is.EqualTo(7));
            Assert.That(RoundTrip(Provider, new List<int> { 1, -2, int.MaxValue }), Is.EqualTo(new[] { 1, -2, int.MaxValue }));
            var map = new Dictionary<string, int?> { ["a"] = 1, ["b"] = null };
            Assert.That(RoundTrip(Provider, map), Is.EqualTo(map));
            Assert.That(RoundTrip(Provider, new byte[] { 0, 255, 7 }), Is.EqualTo(new byte[] { 0, 255, 7 }));
            Order withNulls = Orders.Create(2, seed: 2);
            Assert.That(withNulls.Email, Is.Null);
            Assert.That(RoundTrip(Provider, withNulls), Is.EqualTo(withNulls).UsingPropertiesComparer());
        }
    }

    [Test]
    public void A_type_without_a_contract_is_not_supported_and_the_message_names_it()
    {
        var e = Assert.Throws<NotSupportedException>(() => Provider.GetSerializer<PlainPoco>());
        Assert.That(e!.Message, Does.Contain(typeof(PlainPoco).FullName!).And.Contain("MessagePackObject"));
    }

    [Test]
    public void A_resolver_without_a_formatter_for_the_type_is_not_supported_and_the_message_names_it()
    {
        var provider = new MessagePackCacheSerializerProvider(new MessagePackCacheOptions { Resolver = BuiltinResolver.Instance });
        var e = Assert.Throws<NotSupportedException>(() => provider.GetSerializer<Order>());
        Assert.That(e!.Message, Does.Contain(typeof(Order).FullName!).And.Contain("no formatter"));
    }

    [Test]
    public void Contractless_objects_round_trip_only_when_opted_in()
    {
        var provider = MessagePackCacheSerializerProvider.CreateDynamic(new MessagePackCacheOptions { AllowContractless = true });
        var value = new PlainPoco { Name = "n", Count = null, Labels = ["x", "y"] };
        Assert.That(RoundTrip(provider, value), Is.EqualTo(value).UsingPropertiesComparer());
    }

    [Test]
    public void A_user_resolver_is_used_as_given()
    {
        // The AOT path: a static resolver (here a composite; an AOT app composes mpc-generated formatters the same way).
        var provider = new MessagePackCacheSerializerProvider(new MessagePackCacheOptions { Resolver = CompositeResolver.Create(BuiltinResolver.Instance) });
        Assert.That(RoundTrip(provider, "aot"), Is.EqualTo("aot"));
    }

    [Test]
    public void Typeless_resolvers_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new MessagePackCacheSerializerProvider(new MessagePackCacheOptions { Resolver = TypelessContractlessStandardResolver.Instance }));
        Assert.Throws<ArgumentException>(() => new MessagePackCacheSerializerProvider(new MessagePackCacheOptions { Resolver = TypelessObjectResolver.Instance }));
    }

    /// <summary>
    /// A contract can ask for the typeless formatter on one member, whatever the resolver; MessagePack's untrusted-data
    /// mode still creates the type the bytes name there. The cache's options refuse every type name instead.
    /// </summary>
    [Test]
    public void A_member_marked_typeless_never_creates_a_type_named_by_the_bytes()
    {
        var writer = new ArrayBufferWriter<byte>();
        var serializer = Provider.GetSerializer<WithTypelessMember>();
        serializer.Serialize(new WithTypelessMember { Payload = new List<int> { 1, 2 } }, writer);
        var bytes = writer.WrittenMemory;
        var untrusted = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(MessagePackSerializer.Deserialize<WithTypelessMember>(bytes, untrusted).Payload, Is.TypeOf<List<int>>(), "UntrustedData alone creates the named type");
            Assert.That(() => serializer.Deserialize(new ReadOnlySequence<byte>(bytes)), Throws.InstanceOf<MessagePackSerializationException>().With.Message.Contains("never creates types"));
        }
    }

    [Test]
    public void A_type_marked_typeless_is_not_supported()
    {
        Assert.That(() => Provider.GetSerializer<TypelessWhole>(), Throws.InstanceOf<NotSupportedException>().With.Message.Contains(nameof(TypelessWhole)));
    }

    [Test]
    public void The_constructor_requires_a_resolver()
    {
        var e = Assert.Throws<ArgumentException>(() => new MessagePackCacheSerializerProvider(new MessagePackCacheOptions()));
        Assert.That(e!.Message, Does.Contain("Resolver"));
    }

    [Test]
    public void Options_are_untrusted_data_without_messagepack_compression()
    {
        MessagePackSerializerOptions options = Provider.SerializerOptions;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Security.HashCollisionResistant, Is.True);
            Assert.That(options.Security.MaximumObjectGraphDepth, Is.EqualTo(MessagePackSecurity.UntrustedData.MaximumObjectGraphDepth));
            Assert.That(options.Compression, Is.EqualTo(MessagePackCompression.None));
        }
    }

    [Test]
    public void A_payload_nested_deeper_than_the_security_limit_is_rejected()
    {
        ICacheSerializer<Node> serializer = Provider.GetSerializer<Node>();
        Assert.That(serializer.Deserialize(NestedNodes(100)), Is.Not.Null, "within the limit");
        Assert.Throws<MessagePackSerializationException>(() => serializer.Deserialize(NestedNodes(MessagePackCacheOptions.DefaultMaximumObjectGraphDepth + 10)));

        var strict = MessagePackCacheSerializerProvider.CreateDynamic(new MessagePackCacheOptions { MaximumObjectGraphDepth = 8 });
        Assert.Throws<MessagePackSerializationException>(() => strict.GetSerializer<Node>().Deserialize(NestedNodes(20)));
    }

    [Test]
    public void Truncated_and_trailing_bytes_are_rejected()
    {
        var writer = new ArrayBufferWriter<byte>();
        ICacheSerializer<Order> serializer = Provider.GetSerializer<Order>();
        serializer.Serialize(Orders.Medium(), writer);
        byte[] bytes = writer.WrittenSpan.ToArray();
        Assert.Throws<MessagePackSerializationException>(() => serializer.Deserialize(new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 3)));
        byte[] longer = [.. bytes, 0xC0];
        Assert.Throws<MessagePackSerializationException>(() => serializer.Deserialize(new ReadOnlySequence<byte>(longer)));
    }

    [Test]
    public void Reads_a_payload_split_across_segments()
    {
        var writer = new ArrayBufferWriter<byte>();
        ICacheSerializer<Order> serializer = Provider.GetSerializer<Order>();
        serializer.Serialize(Orders.Medium(), writer);
        ReadOnlySequence<byte> split = Segments.Split(writer.WrittenMemory, 3);
        Assert.That(serializer.Deserialize(split), Is.EqualTo(Orders.Medium()).UsingPropertiesComparer());
    }

    [Test]
    public void Serializing_the_medium_object_into_a_reused_writer_allocates_nothing()
    {
        ICacheSerializer<Order> serializer = Provider.GetSerializer<Order>();
        Order order = Orders.Medium();
        var writer = new ArrayBufferWriter<byte>(16 * 1024);
        long perOperation = Allocations.PerOperation(() =>
        {
            writer.ResetWrittenCount();
            serializer.Serialize(order, writer);
        });
        Assert.That(perOperation, Is.Zero);
    }

    // Each Node is a one-element array; the innermost child is nil.
    private static ReadOnlySequence<byte> NestedNodes(int depth)
    {
        var bytes = new byte[depth + 1];
        bytes.AsSpan(0, depth).Fill(0x91);
        bytes[depth] = 0xC0;
        return new ReadOnlySequence<byte>(bytes);
    }

    [MessagePackObject]
    public sealed class WithTypelessMember
    {
        [Key(0)]
        [MessagePackFormatter(typeof(MessagePack.Formatters.TypelessFormatter))]
        public object? Payload { get; set; }
    }

    [MessagePackObject]
    [MessagePackFormatter(typeof(MessagePack.Formatters.TypelessFormatter))]
    public sealed class TypelessWhole
    {
        [Key(0)]
        public string Name { get; set; } = "";
    }
}
