using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO.Compression;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>Format, codec and encryption settings: bound from configuration, and rejected at start-up when wrong (no server needed).</summary>
public class CodecValidationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IRedisCachingBuilder>? add = null, Action<RedisCachingOptions>? configure = null)
    {
        settings["RedisCaching:Redis:ConnectionString"] = "localhost:6379";
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var builder = services.AddRedisCaching(configure).WithoutEnvironmentVariables();
        add?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    private static string? StartUpError(Dictionary<string, string?> settings, Action<IRedisCachingBuilder>? add = null, Action<RedisCachingOptions>? configure = null)
    {
        using var provider = Build(settings, add, configure);
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            TestContext.Out.WriteLine(ex.Message);
            return ex.Message;
        }
    }

    [Test]
    public void Compression_settings_and_profile_choices_bind_from_configuration()
    {
        using var provider = Build(new()
        {
            ["RedisCaching:Compression:ThresholdBytes"] = "2048",
            ["RedisCaching:Compression:MinimumSavings"] = "0.2",
            ["RedisCaching:Compression:MaxDecompressedBytes"] = "1048576",
            ["RedisCaching:Compression:Level"] = "SmallestSize",
            ["RedisCaching:Profiles:documents:Compression"] = "brotli",
            ["RedisCaching:Profiles:documents:Serializer"] = "json",
            ["RedisCaching:Profiles:user-sessions:Encrypt"] = "false",
        });
        var options = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Compression.ThresholdBytes, Is.EqualTo(2048));
            Assert.That(options.Compression.MinimumSavings, Is.EqualTo(0.2));
            Assert.That(options.Compression.MaxDecompressedBytes, Is.EqualTo(1048576));
            Assert.That(options.Compression.Level, Is.EqualTo(CompressionLevel.SmallestSize));
            Assert.That(options.Profiles["documents"].Compression, Is.EqualTo("brotli"));
            Assert.That(options.Profiles["documents"].Serializer, Is.EqualTo("json"));
            Assert.That(options.Profiles["documents"].Expiration, Is.EqualTo(TimeSpan.FromHours(24)), "the shipped expiration stays");
            Assert.That(options.Profiles["user-sessions"].Encrypt, Is.False);
        }
    }

    [Test]
    public void Valid_choices_start()
    {
        Assert.That(StartUpError(new() { ["RedisCaching:Profiles:documents:Compression"] = "zlib", ["RedisCaching:Defaults:Compression"] = "none" }), Is.Null);
    }

    [TestCase("RedisCaching:Profiles:documents:Compression", "lzma", "No compressor is named 'lzma'")]
    [TestCase("RedisCaching:Profiles:documents:Serializer", "xml", "No serializer is named 'xml'")]
    [TestCase("RedisCaching:Profiles:user-sessions:Encrypt", "true", "ICacheEncryptor")]
    [TestCase("RedisCaching:Compression:MinimumSavings", "1.5", "MinimumSavings")]
    [TestCase("RedisCaching:Compression:MaxDecompressedBytes", "0", "MaxDecompressedBytes")]
    public void A_bad_choice_fails_at_start_up_naming_what_to_fix(string setting, string value, string expected)
    {
        Assert.That(StartUpError(new() { [setting] = value }), Does.Contain(expected));
    }

    [Test]
    public void A_type_with_an_unknown_codec_fails_at_start_up()
    {
        Assert.That(StartUpError([], configure: o => o.SetTypeOptions<string>(new CacheTypeOptions { Compression = "snappy" })), Does.Contain("TypeOptions[String]").And.Contain("snappy"));
    }

    [Test]
    public void Two_codecs_claiming_one_id_fail_at_start_up()
    {
        var error = StartUpError([], b => b.Services.AddSingleton<ICacheCompressor>(new ImpostorCodec(70, "one")).AddSingleton<ICacheCompressor>(new ImpostorCodec(70, "two")));
        Assert.That(error, Does.Contain("claims id 70"));
    }

    /// <summary>
    /// Registered straight in DI, not through a builder method that checks the id: ids 1-63 are RedisCaching's, whether
    /// free (10) or taken by one of its codecs that is not registered here (zstd's 4), and brotli's 1 is taken anyway.
    /// </summary>
    [TestCase(1)]
    [TestCase(4)]
    [TestCase(10)]
    public void A_codec_registered_in_di_with_a_reserved_id_fails_at_start_up(int id)
    {
        var error = StartUpError([], b => b.Services.AddSingleton<ICacheCompressor>(new ImpostorCodec((byte)id, "impostor")));
        Assert.That(error, Does.Contain($"claims id {id}, which is in RedisCaching's own range").And.Contain("64-255"));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(63)]
    public void A_format_registered_in_di_with_a_reserved_id_fails_at_start_up(int id)
    {
        var error = StartUpError([], b => b.Services.AddSingleton<ICacheSerializerProvider>(new UpperCaseStringProvider((byte)id)));
        Assert.That(error, Does.Contain($"claims id {id}, which is in RedisCaching's own range"));
    }

    [Test]
    public void A_format_registered_in_di_with_an_app_id_starts() =>
        Assert.That(StartUpError([], b => b.Services.AddSingleton<ICacheSerializerProvider>(new UpperCaseStringProvider(64))), Is.Null);

    /// <summary>An app codec with the id it is given (which may wrongly be a reserved one).</summary>
    private sealed class ImpostorCodec(byte id, string name) : ICacheCompressor
    {
        public byte Id => id;

        public string Name => name;

        public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination) => destination.Write(source);

        public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedLength) => DecompressionResult.Corrupt;
    }
}
