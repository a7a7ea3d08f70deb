using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Generators.Tests.Integration;

public sealed record Feature(int Id, string Name);

/// <summary>The interface the tests decorate: the generator runs on this project as an analyzer.</summary>
public interface IFeatureStore
{
    [Cached(Key = "feature:{id}", Tags = new[] { "features" })]
    Task<Feature?> GetAsync(int id, CancellationToken ct);

    [Cached(Key = "name:{id}", Expiration = "00:00:01")]
    ValueTask<string> GetNameAsync(int id);

    [Cached]
    Task<string?> FindAsync(string name);

    [Cached(CacheNull = true)]
    Task<string?> FindOrNullAsync(string name);

    [Cached(Key = "parsed:{T}:{text}")]
    Task<T> ParseAsync<T>(string text) where T : IParsable<T>;

    [CacheInvalidate(Keys = new[] { "feature:{feature.Id}" })]
    Task UpdateAsync(Feature feature, CancellationToken ct);

    [CacheInvalidate(Tags = new[] { "features" })]
    ValueTask ClearAsync();

    int Calls { get; }
}

/// <summary>An implementation that counts its runs and can be slowed down or made to fail.</summary>
public sealed class FeatureStore : IFeatureStore
{
    private readonly ConcurrentDictionary<int, Feature> _features = new();
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public TimeSpan Delay { get; set; }

    public bool Fail { get; set; }

    public CancellationToken LastToken { get; private set; }

    public async Task<Feature?> GetAsync(int id, CancellationToken ct)
    {
        await RunAsync(ct);
        return _features.TryGetValue(id, out var feature) ? feature : new Feature(id, "feature " + id);
    }

    public async Task<T> ParseAsync<T>(string text) where T : IParsable<T>
    {
        await RunAsync(CancellationToken.None);
        return T.Parse(text, CultureInfo.InvariantCulture);
    }

    public async ValueTask<string> GetNameAsync(int id)
    {
        await RunAsync(CancellationToken.None);
        return "name " + id + " #" + Calls;
    }

    public async Task<string?> FindAsync(string name)
    {
        await RunAsync(CancellationToken.None);
        return null;
    }

    public Task<string?> FindOrNullAsync(string name) => FindAsync(name);

    public Task UpdateAsync(Feature feature, CancellationToken ct)
    {
        _features[feature.Id] = feature;
        return Task.CompletedTask;
    }

    public ValueTask ClearAsync()
    {
        _features.Clear();
        return ValueTask.CompletedTask;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        LastToken = ct;
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, ct);
        }

        if (Fail)
        {
            throw new InvalidOperationException("The store is down.");
        }
    }
}
