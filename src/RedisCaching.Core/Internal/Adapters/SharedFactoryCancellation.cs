using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// HybridCache's cancellation rule for the factory of one key and value type: its token is cancelled only when every
/// caller waiting for it has cancelled (a caller that cannot cancel therefore keeps it running to the end). Waiting
/// callers and running factories hold the instance; the one whose leaving closes it removes it from the registry,
/// and a closed instance is never joined again, so a later caller starts afresh.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The source has no timer; a factory may read its token after the last caller left.")]
internal sealed class SharedFactoryCancellation
{
    private readonly Lock _gate = new();

    private readonly CancellationTokenSource _source = new();
    private int _callers;
    private int _factories;
    private bool _closed;

    public CancellationToken Token => _source.Token;

    public bool TryJoin(bool asFactory)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (asFactory)
            {
                _factories++;
            }
            else
            {
                _callers++;
            }

            return true;
        }
    }

    /// <summary>A caller stops waiting; returns whether this closed the instance (remove it from the registry).</summary>
    public bool LeaveAsCaller(bool cancelled)
    {
        lock (_gate)
        {
            _callers--;
            if (_callers > 0 || _closed || (!cancelled && _factories > 0))
            {
                return false;
            }

            _closed = true;
        }

        if (cancelled)
        {
            // Outside the lock: token callbacks run synchronously, and the factory's may do anything.
            _source.Cancel();
        }

        return true;
    }

    /// <summary>A factory finished; returns whether this closed the instance.</summary>
    public bool LeaveAsFactory()
    {
        lock (_gate)
        {
            _factories--;
            if (_callers > 0 || _factories > 0 || _closed)
            {
                return false;
            }

            _closed = true;
            return true;
        }
    }
}
