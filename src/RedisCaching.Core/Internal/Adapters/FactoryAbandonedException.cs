using System;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// A factory stopped because every caller that waited for it cancelled. A caller that joined the same flight just
/// after that (its own token still live) sees this instead of a plain cancellation, and starts the work again.
/// </summary>
internal sealed class FactoryAbandonedException : OperationCanceledException
{
    public FactoryAbandonedException()
        : base("Every caller waiting for this cache factory cancelled, so the factory was cancelled.")
    {
    }

    public FactoryAbandonedException(string message)
        : base(message)
    {
    }

    public FactoryAbandonedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
