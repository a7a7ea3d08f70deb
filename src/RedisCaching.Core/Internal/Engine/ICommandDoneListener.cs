namespace RedisCaching.Internal.Engine;

/// <summary>
/// Told once when a command's StackExchange.Redis task completed, whether or not its caller still waited for it: what
/// counts the commands a server holds (<see cref="ReadCoalescer"/>) must not count one as gone when its caller gave up.
/// </summary>
internal interface ICommandDoneListener
{
    /// <summary>The command completed (answered, failed, or cancelled by StackExchange.Redis). Must not throw.</summary>
    void CommandDone();
}
