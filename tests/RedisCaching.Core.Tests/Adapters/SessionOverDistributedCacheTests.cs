using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>
/// ASP.NET Core's session middleware (<c>AddSession</c>) storing its sessions in RedisCaching through
/// <c>AsDistributedCache()</c>, in a TestHost app: the real consumer of IDistributedCache, with its own format and
/// its sliding idle timeout.
/// </summary>
public class SessionOverDistributedCacheTests : StandaloneServerFixture
{
    private const string CookieName = "app-session";
    private string _prefix = null!;
    private ConnectionMultiplexer _redis = null!;

    [SetUp]
    public async Task Connect()
    {
        _prefix = NewPrefix();
        _redis = await ConnectionMultiplexer.ConnectAsync(Server.CreateConfigurationOptions());
    }

    [TearDown]
    public async Task Disconnect() => await _redis.DisposeAsync();

    private async Task<IHost> StartAppAsync(TimeSpan idleTimeout)
    {
        var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services =>
                {
                    services.AddTestCache(Server, _prefix).AsDistributedCache();
                    services.AddDataProtection().UseEphemeralDataProtectionProvider();
                    services.AddSession(o =>
                    {
                        o.IdleTimeout = idleTimeout;
                        o.Cookie.Name = CookieName;
                    });
                })
                .Configure(app =>
                {
                    app.UseSession();
                    app.Run(HandleAsync);
                }))
            .Build();
        await host.StartAsync();
        await WaitUntilCoherentAsync(host.Services);
        return host;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        // /get-sync leaves the session to load itself on first use, which IDistributedCache's synchronous Get does.
        if (context.Request.Path != "/get-sync")
        {
            await context.Session.LoadAsync(context.RequestAborted);
        }

        switch (context.Request.Path.Value)
        {
            case "/set":
                context.Session.SetString("name", context.Request.Query["value"].ToString());
                await context.Response.WriteAsync("stored");
                break;
            default:
                await context.Response.WriteAsync(context.Session.GetString("name") ?? "(none)");
                break;
        }
    }

    private static async Task<(string Body, string? Cookie)> SendAsync(IHost host, string pathAndQuery, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        using var client = host.GetTestClient();
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).FirstOrDefault(v => v.StartsWith(CookieName + "=", StringComparison.Ordinal))
            : null;
        return (await response.Content.ReadAsStringAsync(), setCookie);
    }

    private RedisKey[] SessionKeys() => _redis.GetServers().Single().Keys(pattern: _prefix + ":*").ToArray();

    [Test]
    public async Task A_value_set_in_one_request_is_read_in_the_next_and_its_bytes_are_in_redis()
    {
        using var host = await StartAppAsync(TimeSpan.FromMinutes(20));
        var (stored, cookie) = await SendAsync(host, "/set?value=ada-lovelace");
        Assert.That(stored, Is.EqualTo("stored"));
        Assert.That(cookie, Is.Not.Null, "the middleware issued a session cookie");

        var (read, _) = await SendAsync(host, "/get", cookie);
        var (readSync, _) = await SendAsync(host, "/get-sync", cookie);
        var (withoutCookie, _) = await SendAsync(host, "/get");
        var keys = SessionKeys();
        Assert.That(keys, Has.Length.EqualTo(1), "one session, one key under the app's prefix");
        var (header, payload) = ReadEntry((byte[])(await _redis.GetDatabase().StringGetAsync(keys[0]))!);
        var ttl = await _redis.GetDatabase().KeyTimeToLiveAsync(keys[0]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.EqualTo("ada-lovelace"));
            Assert.That(readSync, Is.EqualTo("ada-lovelace"), "through the synchronous IDistributedCache.Get");
            Assert.That(withoutCookie, Is.EqualTo("(none)"));
            Assert.That(header.SerializerId, Is.EqualTo(RawBytesSerializerId), "the session's bytes, not JSON");
            Assert.That(header.SlidingMs, Is.EqualTo(20 * 60 * 1000), "the idle timeout slides");
            Assert.That(payload[0], Is.EqualTo(2), "ASP.NET Core's session format, revision 2, starts the payload");
            Assert.That(Encoding.UTF8.GetString(payload), Does.Contain("name").And.Contain("ada-lovelace"));
            Assert.That(ttl, Is.Not.Null.And.InRange(TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(20)), "the idle timeout is the entry's sliding window");
        }
    }

    [Test]
    public async Task The_idle_timeout_is_respected_requests_keep_the_session_and_idleness_ends_it()
    {
        var idleTimeout = TimeSpan.FromSeconds(4);
        using var host = await StartAppAsync(idleTimeout);
        var (_, cookie) = await SendAsync(host, "/set?value=grace-hopper");
        for (var i = 0; i < 6; i++)
        {
            // 6 s in all, longer than the idle timeout; each request is within 1 s of the last.
            await Task.Delay(1000);
            var (body, _) = await SendAsync(host, "/get", cookie);
            Assert.That(body, Is.EqualTo("grace-hopper"), $"request {i + 1}");
        }

        var idle = Stopwatch.StartNew();
        var gone = await EventuallyAsync(() => Task.FromResult(SessionKeys().Length == 0), TimeSpan.FromSeconds(30));
        var (after, _) = await SendAsync(host, "/get", cookie);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone, Is.True, "the session expired in Redis");
            Assert.That(idle.Elapsed, Is.GreaterThanOrEqualTo(idleTimeout - TimeSpan.FromSeconds(1.5)), "not long before the idle timeout after the last request");
            Assert.That(after, Is.EqualTo("(none)"), "the app no longer sees the session");
        }
    }
}
