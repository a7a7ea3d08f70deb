using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace QuickStart;

/// <summary>
/// The cache's metrics on a Prometheus endpoint (OpenTelemetry's HttpListener exporter), and one scrape of it, as a
/// Prometheus server would do, printed in part.
/// </summary>
internal static class MetricsSteps
{
    /// <summary>
    /// Serves the cache's metrics on <c>http://localhost:{port}/metrics</c>; built before the cache is used, as a host
    /// builds its providers at start-up. The port comes from <c>QUICKSTART_METRICS_PORT</c> (build/demo.sh passes a
    /// free one), else 9464, Prometheus's registered port for OpenTelemetry exporters.
    /// </summary>
    public static (MeterProvider Provider, Uri Endpoint) Serve()
    {
        var port = int.TryParse(Environment.GetEnvironmentVariable("QUICKSTART_METRICS_PORT"), out var p) ? p : 9464;
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddRedisCachingInstrumentation()
            .AddPrometheusHttpListener(o => { o.Host = "localhost"; o.Port = port; })
            .Build();
        return (provider, new Uri($"http://localhost:{port}/metrics"));
    }

    /// <summary>Scrapes the endpoint once and prints the cache's request counters and L1 gauges.</summary>
    public static async Task ShowScrapeAsync(Uri endpoint)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(endpoint);
        var lines = text.Split('\n')
            .Where(l => l.StartsWith("rediscaching_cache_requests", StringComparison.Ordinal)
                || l.StartsWith("rediscaching_cache_l1_entries", StringComparison.Ordinal))
            .ToList();
        Console.WriteLine($"7. Prometheus scrape of {endpoint} ({text.Length:N0} characters), the cache's requests and L1 entries:");
        foreach (var line in lines)
        {
            Console.WriteLine("   " + line);
        }

        if (lines.Count == 0)
        {
            throw new RedisCaching.RedisCachingException("The scrape did not contain the cache's metrics.");
        }

        // To scrape it yourself (curl http://localhost:9464/metrics) before the sample exits.
        if (int.TryParse(Environment.GetEnvironmentVariable("QUICKSTART_METRICS_HOLD_SECONDS"), out var hold) && hold > 0)
        {
            Console.WriteLine($"   holding the endpoint open for {hold} s");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }
    }
}
