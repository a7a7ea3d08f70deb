namespace RedisCaching.Testing;

/// <summary>Things a test may need that not every server (or every kind of test server) offers.</summary>
public enum RedisFeature
{
    /// <summary>Stop and restart by the harness (process and container servers, not external ones).</summary>
    ServerControl,

    /// <summary>Pause and resume by the harness (process servers only).</summary>
    PauseResume,

    /// <summary><c>CLIENT TRACKING</c> (Redis 6+; refused by Garnet and some managed services).</summary>
    ClientTracking,

    /// <summary>ACL commands (Redis 6+).</summary>
    Acl,

    /// <summary>Lua scripting (<c>EVAL</c>; Garnet needs <c>--lua</c>).</summary>
    Scripting,
}
