using System;
using MessagePack;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// MessagePack options that never turn a type name from the wire into a type. Refusing typeless resolvers is not
/// enough: a member marked <c>[MessagePackFormatter(typeof(TypelessFormatter))]</c> gets MessagePack's typeless
/// formatter from any resolver, and <see cref="MessagePackSecurity.UntrustedData"/> does not stop it (it limits depth
/// and hashing, and MessagePack's own check only blocks a short list of known gadget types). Every type a typeless
/// formatter reads goes through <see cref="LoadType"/> (unless MessagePack cached the name already) and then always
/// through <see cref="ThrowIfDeserializingTypeIsDisallowed"/>, so both refuse: such a payload fails to deserialize,
/// which the cache counts as an unreadable entry (a miss).
/// </summary>
internal sealed class NoTypeNamesOptions : MessagePackSerializerOptions
{
    public NoTypeNamesOptions(MessagePackSerializerOptions copyFrom)
        : base(copyFrom)
    {
    }

    public override Type? LoadType(string typeName) => throw Refused();

    public override void ThrowIfDeserializingTypeIsDisallowed(Type type) => throw Refused();

    protected override MessagePackSerializerOptions Clone() => new NoTypeNamesOptions(this);

    private static MessagePackSerializationException Refused() => new(
        "The payload names a .NET type to create (MessagePack's typeless format); RedisCaching never creates types named by cached bytes. Remove [MessagePackFormatter(typeof(TypelessFormatter))] from the contract.");
}
