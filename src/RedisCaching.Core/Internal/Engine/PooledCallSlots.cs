using System;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>A pooled budgeted call: bound to one time provider and registered with its sweeper for as long as it lives.</summary>
internal interface IPooledBudgetedCall : IBudgetedCall
{
    /// <summary>The provider the call was created for (its budget's clock).</summary>
    TimeProvider Time { get; }
}

/// <summary>
/// A small lock-free pool of budgeted calls of one type (a fixed array of slots taken and given back by compare-exchange):
/// the objects a Redis call needs on the hot path are reused, not allocated. One written here for
/// <see cref="BudgetedCall{TResult}"/> and <see cref="CoalescedRead"/>, which both must drop an object from its sweeper
/// when it leaves the pool for good.
/// </summary>
internal static class PooledCallSlots
{
    /// <summary>A pooled call of <paramref name="time"/>, or null when none is free (the caller creates one).</summary>
    public static T? Rent<T>(T?[] slots, TimeProvider time)
        where T : class, IPooledBudgetedCall
    {
        for (var i = 0; i < slots.Length; i++)
        {
            var item = Volatile.Read(ref slots[i]);
            if (item is not null && Interlocked.CompareExchange(ref slots[i], null, item) == item)
            {
                if (ReferenceEquals(item.Time, time))
                {
                    return item;
                }

                // Another TimeProvider (tests with fake time): its sweeper belongs to that provider.
                BudgetSweeper.For(item.Time).Remove(item);
                return null;
            }
        }

        return null;
    }

    /// <summary>Gives <paramref name="call"/> back; when every slot is taken it is dropped (and no longer swept).</summary>
    public static void Return<T>(T?[] slots, T call)
        where T : class, IPooledBudgetedCall
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], call, null) is null)
            {
                return;
            }
        }

        BudgetSweeper.For(call.Time).Remove(call);
    }
}
