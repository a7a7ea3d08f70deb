namespace RedisCaching.Core.Tests.Adapters;

public sealed record Product(int Id, string Name);
