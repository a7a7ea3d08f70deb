using System;
using System.Collections.Generic;
using System.Linq;
using DotNet.Testcontainers.Builders;

namespace RedisCaching.Testing;

/// <summary>Tells a container set-up problem (engine, API version, image) from a failure of the server itself.</summary>
internal static class ContainerFailure
{
    public static bool IsUnavailable(Exception exception) =>
        Chain(exception).Any(e => e is DockerUnavailableException
            || (e.GetType().FullName?.StartsWith("Docker.DotNet.", StringComparison.Ordinal) ?? false)
            || e is System.Net.Http.HttpRequestException);

    /// <summary>A message that says what went wrong and what to do about it.</summary>
    public static string Describe(Exception exception, string image)
    {
        var messages = string.Join(" | ", Chain(exception).Select(e => e.Message.Trim()).Distinct());
        if (messages.Contains("too new", StringComparison.OrdinalIgnoreCase))
        {
            return "The container engine answered, but its API is older than the client's: a set-up problem. "
                + "Export DOCKER_API_VERSION=1.41 for Debian's docker.io (build/prepare-container-mode.sh prints the exports). Details: " + messages;
        }

        if (Chain(exception).Any(e => e is DockerUnavailableException))
        {
            return "No container engine is reachable (run build/prepare-container-mode.sh as root to start one). Details: " + messages;
        }

        if (messages.Contains("pull", StringComparison.OrdinalIgnoreCase) || messages.Contains("image", StringComparison.OrdinalIgnoreCase)
            || messages.Contains("registry", StringComparison.OrdinalIgnoreCase) || messages.Contains("ryuk", StringComparison.OrdinalIgnoreCase))
        {
            return $"The image '{image}' (or Testcontainers' Ryuk image) is not on the engine and cannot be pulled: run "
                + "build/prepare-container-mode.sh and export TESTCONTAINERS_RYUK_DISABLED=true. Details: " + messages;
        }

        return "The container could not be started. Details: " + messages;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
