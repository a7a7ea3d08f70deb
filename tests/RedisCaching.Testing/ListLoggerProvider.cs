using System;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Testing;

/// <summary>Collects formatted log messages so tests can check what is (and is not) logged.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(int EventId, string Message)> Entries { get; } = new();

    /// <summary>The exceptions logged with the entries (not part of their messages), for tests that say why something failed.</summary>
    public ConcurrentQueue<Exception> Exceptions { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Entries.Enqueue((eventId.Id, formatter(state, exception)));
            if (exception is not null)
            {
                owner.Exceptions.Enqueue(exception);
            }
        }
    }
}
