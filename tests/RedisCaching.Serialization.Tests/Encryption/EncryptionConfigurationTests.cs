using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;
using RedisCaching.Testing;

namespace RedisCaching.Serialization.Tests.Encryption;

public sealed class EncryptionConfigurationTests
{
    private const string Section = "RedisCaching:Encryption";
    private static readonly byte[] Aad = TestKeys.Aad("rc:config:1");

    [Test]
    public void Keys_from_configuration_encrypt_with_the_active_key()
    {
        using var services = Build(Settings(active: "2", (1, TestKeys.Base64(1)), (2, TestKeys.Base64(2))));
        var encryptor = services.GetRequiredService<ICacheEncryptor>();
        var payload = TestKeys.Payload(100);
        var writer = new ArrayBufferWriter<byte>();
        encryptor.Encrypt(encryptor.ActiveKeyId, payload, Aad, writer);

        // The same bytes as an encryptor built from the key set directly: key 2 came from configuration.
        using var direct = new AesGcmCacheEncryptor(TestKeys.Set(2, 2));
        var plain = new ArrayBufferWriter<byte>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor, Is.InstanceOf<AesGcmCacheEncryptor>());
            Assert.That(encryptor.ActiveKeyId, Is.EqualTo(2));
            Assert.That(direct.TryDecrypt(2, writer.WrittenSpan, Aad, plain), Is.True);
            Assert.That(plain.WrittenSpan.ToArray(), Is.EqualTo(payload));
        }
    }

    [Test]
    public void Start_up_validation_passes_for_good_settings()
    {
        using var services = Build(Settings(active: "1", (1, TestKeys.Base64(1))));
        Assert.That(() => services.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
    }

    private static IEnumerable<TestCaseData> BadSettings()
    {
        var good = TestKeys.Base64(1);
        yield return Case("active id missing", [(1, good)], null, $"{Section}:ActiveKeyId is missing or 0");
        yield return Case("active id 0", [(1, good)], "0", $"{Section}:ActiveKeyId is missing or 0");
        yield return Case("active id > 65535", [(1, good)], "65536", $"{Section}:ActiveKeyId must be a whole number from 1 to 65535");
        yield return Case("active id not a number", [(1, good)], "one", $"{Section}:ActiveKeyId must be a whole number from 1 to 65535");
        yield return Case("active id names no key", [(1, good)], "3", $"{Section}:ActiveKeyId is 3, but {Section}:Keys has no key 3 (valid ids: 1)");
        yield return Case("no keys at all", [], "1", $"{Section}:Keys has no key 1 (valid ids: none)");
        yield return Case("key id 0", [(0, good), (1, TestKeys.Base64(2))], "1", $"{Section}:Keys:0: the key id must be a whole number from 1 to 65535");
        yield return Case("key id > 65535", [(70000, good), (1, TestKeys.Base64(2))], "1", $"{Section}:Keys:70000: the key id must be a whole number from 1 to 65535");
        yield return Case("bad base64", [(1, good[..^2] + "!!")], "1", $"{Section}:Keys:1 is not valid base64");
        yield return Case("16-byte key", [(1, Convert.ToBase64String(TestKeys.Key(1)[..16]))], "1", $"{Section}:Keys:1 decodes to 16 bytes; AES-256 needs exactly 32");
        yield return Case("48-byte key", [(1, Convert.ToBase64String([.. TestKeys.Key(1), .. TestKeys.Key(2)[..16]]))], "1", $"{Section}:Keys:1 decodes to 48 bytes");
        yield return Case("empty key", [(1, "")], "1", $"{Section}:Keys:1 is empty");
        yield return Case("all-zero placeholder", [(1, Convert.ToBase64String(new byte[32]))], "1", $"{Section}:Keys:1 is all zeros");

        static TestCaseData Case(string name, (int Id, string Value)[] keys, string? active, string expected) =>
            new TestCaseData(active, keys, expected).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(BadSettings))]
    public void Bad_settings_are_rejected_at_start_up_naming_the_setting_without_key_material(string? active, (int Id, string Value)[] keys, string expected)
    {
        using var services = Build(Settings(active, keys));

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Message, Does.Contain(expected));
            foreach (var (_, value) in keys.Where(static k => k.Value.Length > 8))
            {
                Assert.That(ex.Message, Does.Not.Contain(value[..8]), "no key material in the message");
            }
        }
    }

    [Test]
    public void Without_a_host_running_start_up_validation_the_first_use_fails_the_same_way()
    {
        using var services = Build(Settings("2", (1, TestKeys.Base64(1))));

        var ex = Assert.Throws<RedisCachingConfigurationException>(() => services.GetRequiredService<ICacheEncryptor>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Setting, Is.EqualTo(Section));
            Assert.That(ex.Message, Does.Contain($"{Section}:ActiveKeyId is 2").And.Not.Contain(TestKeys.Base64(1)[..8]));
        }
    }

    [Test]
    public void Every_problem_is_reported_at_once()
    {
        using var services = Build(Settings("9", (1, "not base64!"), (2, Convert.ToBase64String(new byte[8]))));

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(ex!.Failures.ToList(), Has.Count.EqualTo(3));
    }

    [Test]
    public void Code_configuration_runs_after_configuration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(Settings("1", (1, TestKeys.Base64(1)))));
        new TestBuilder(services).AddValueEncryption(o =>
        {
            o.Keys["5"] = TestKeys.Base64(5);
            o.ActiveKeyId = 5;
        });
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ICacheEncryptor>().ActiveKeyId, Is.EqualTo(5));
    }

    [Test]
    public void Configuration_reload_changes_the_active_key_without_a_restart()
    {
        var configuration = Configuration(Settings("1", (1, TestKeys.Base64(1))));
        using var services = Build(configuration);
        var encryptor = services.GetRequiredService<ICacheEncryptor>();
        var payload = TestKeys.Payload(64);
        var old = new ArrayBufferWriter<byte>();
        encryptor.Encrypt(encryptor.ActiveKeyId, payload, Aad, old);

        configuration[$"{Section}:Keys:2"] = TestKeys.Base64(2);
        configuration[$"{Section}:ActiveKeyId"] = "2";
        configuration.Reload();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.ActiveKeyId, Is.EqualTo(2));
            Assert.That(encryptor.TryDecrypt(1, old.WrittenSpan, Aad, new ArrayBufferWriter<byte>()), Is.True);
        }
    }

    [Test]
    public void An_invalid_reload_is_logged_and_keeps_the_previous_keys()
    {
        var configuration = Configuration(Settings("1", (1, TestKeys.Base64(1))));
        var logs = new ListLoggerProvider();
        using var services = Build(configuration, logs);
        var encryptor = services.GetRequiredService<ICacheEncryptor>();
        var secret = TestKeys.Base64(2)[..^2] + "!!";

        configuration[$"{Section}:Keys:2"] = secret;
        configuration[$"{Section}:ActiveKeyId"] = "2";
        Assert.That(configuration.Reload, Throws.Nothing, "a bad reload does not throw into whoever reloaded");

        var writer = new ArrayBufferWriter<byte>();
        encryptor.Encrypt(encryptor.ActiveKeyId, TestKeys.Payload(8), Aad, writer);
        var rejected = logs.Entries.Single(static e => e.EventId == EncryptionEventIds.KeyReloadRejected);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(encryptor.ActiveKeyId, Is.EqualTo(1));
            Assert.That(encryptor.TryDecrypt(1, writer.WrittenSpan, Aad, new ArrayBufferWriter<byte>()), Is.True);
            Assert.That(rejected.Message, Does.Contain($"{Section}:Keys:2 is not valid base64").And.Not.Contain(secret[..8]));
        }

        // Fixed in the next reload: picked up.
        configuration[$"{Section}:Keys:2"] = TestKeys.Base64(2);
        configuration.Reload();
        Assert.That(encryptor.ActiveKeyId, Is.EqualTo(2));
    }

    [Test]
    public void Key_changes_are_logged_with_ids_only()
    {
        var configuration = Configuration(Settings("1", (1, TestKeys.Base64(1))));
        var logs = new ListLoggerProvider();
        using var services = Build(configuration, logs);
        var encryptor = services.GetRequiredService<ICacheEncryptor>();
        _ = encryptor.ActiveKeyId;

        // A reload that changes nothing keeps the key set (no log); one that adds a key is logged.
        configuration.Reload();
        _ = encryptor.ActiveKeyId;
        configuration[$"{Section}:Keys:2"] = TestKeys.Base64(2);
        configuration.Reload();
        _ = encryptor.ActiveKeyId;

        var messages = logs.Entries.Select(static e => (e.EventId, e.Message)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(messages, Is.EqualTo(new[]
            {
                (EncryptionEventIds.KeyRingLoaded, "Value encryption keys loaded: active key 1, readable keys 1"),
                (EncryptionEventIds.KeyRingChanged, "Value encryption keys changed: active key 1 -> 1, readable keys 1, 2"),
            }));
        }
    }

    [Test]
    public void A_host_key_provider_replaces_configuration_and_skips_its_validation()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(Settings("0")));
        var hostProvider = new SwappableKeyProvider(TestKeys.Set(4, 4));
        new TestBuilder(services).AddValueEncryption().AddValueEncryption(_ => hostProvider);
        using var provider = services.BuildServiceProvider();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
            Assert.That(provider.GetRequiredService<ICacheEncryptor>().ActiveKeyId, Is.EqualTo(4));
        }

        hostProvider.Publish(TestKeys.Set(5, 4, 5));
        Assert.That(provider.GetRequiredService<ICacheEncryptor>().ActiveKeyId, Is.EqualTo(5));
    }

    [Test]
    public void A_fixed_key_set_can_be_registered_and_calling_twice_registers_one_encryptor()
    {
        var services = new ServiceCollection();
        var builder = new TestBuilder(services);
        builder.AddValueEncryption(TestKeys.Set(3, 3)).AddValueEncryption(TestKeys.Set(3, 3));
        using var provider = services.BuildServiceProvider();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(services.Count(static d => d.ServiceType == typeof(ICacheEncryptor)), Is.EqualTo(1));
            Assert.That(provider.GetRequiredService<ICacheEncryptor>().ActiveKeyId, Is.EqualTo(3));
        }
    }

    [Test]
    public void Works_on_the_builder_from_AddRedisCaching()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(Settings("1", (1, TestKeys.Base64(1)))));
        services.AddRedisCaching().AddValueEncryption();
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ICacheEncryptor>().ActiveKeyId, Is.EqualTo(1));
    }

    [Test]
    public void Options_ToString_shows_no_key_material()
    {
        var options = new CacheEncryptionOptions { ActiveKeyId = 1 };
        options.Keys["1"] = TestKeys.Base64(1);

        Assert.That(options.ToString(), Is.EqualTo("CacheEncryptionOptions(ActiveKeyId 1, 1 key(s))"));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) => Build(Configuration(settings));

    private static ServiceProvider Build(IConfigurationRoot configuration, ListLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        new TestBuilder(services).AddValueEncryption();
        return services.BuildServiceProvider();
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static Dictionary<string, string?> Settings(string? active, params (int Id, string Value)[] keys)
    {
        var settings = keys.ToDictionary(static k => $"{Section}:Keys:{k.Id}", static k => (string?)k.Value);
        if (active is not null)
        {
            settings[$"{Section}:ActiveKeyId"] = active;
        }

        return settings;
    }

    private sealed class TestBuilder(IServiceCollection services) : IRedisCachingBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
