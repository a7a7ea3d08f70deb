using System;
using System.Threading.Tasks;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// Entries record their value type: within one format another type would often deserialize "fine" to an object of
/// default members; it is a counted miss instead, in JSON and MessagePack, with the memory tier off (Redis answers)
/// and on (memory answers), as the memory tier already said.
/// </summary>
public class ValueTypeTests : EngineFixture
{
    [TestCase("json", false)]
    [TestCase("json", true)]
    [TestCase("messagepack", false)]
    [TestCase("messagepack", true)]
    public async Task An_entry_of_another_type_in_the_same_format_is_a_miss(string serializer, bool memory)
    {
        await using var provider = BuildCache("v" + Guid.NewGuid().ToString("N")[..8], configure: o => o.Memory.Enabled = memory);
        var cache = provider.GetRequiredService<ICache>();
        var format = new CacheEntryOptions { Serializer = serializer };
        await cache.SetAsync("thing", new Widget { Name = "gear", Size = 3 }, format);

        var read = await cache.TryGetAsync<Invoice>("thing", format);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.HasValue, Is.False, read.HasValue ? $"got an Invoice {{ Number = {read.Value.Number}, Total = {read.Value.Total} }} from {read.Tier}" : "");
            Assert.That((await cache.TryGetAsync<Widget>("thing", format)).Value?.Name, Is.EqualTo("gear"));
        }
    }

    [MessagePackObject]
    public sealed class Widget
    {
        [Key(0)]
        public string Name { get; set; } = "";

        [Key(1)]
        public int Size { get; set; }
    }

    [MessagePackObject]
    public sealed class Invoice
    {
        [Key(0)]
        public string Number { get; set; } = "";

        [Key(1)]
        public decimal Total { get; set; }
    }
}
