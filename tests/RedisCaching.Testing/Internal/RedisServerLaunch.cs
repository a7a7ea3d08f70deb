using System;
using System.Collections.Generic;
using System.Security.Cryptography;

namespace RedisCaching.Testing;

/// <summary>
/// The redis-server command line of one topology and the credentials it creates, shared by the process and the
/// container implementations so both start exactly the same server.
/// </summary>
internal sealed class RedisServerLaunch
{
    private RedisServerLaunch(IReadOnlyList<string> arguments, string? user, string? password)
    {
        Arguments = arguments;
        User = user;
        Password = password;
    }

    public IReadOnlyList<string> Arguments { get; }

    public string? User { get; }

    public string? Password { get; }

    /// <param name="topology">What to start.</param>
    /// <param name="bindAddress">127.0.0.1 for processes; 0.0.0.0 inside a container (the engine forwards to it).</param>
    /// <param name="port">The port the server listens on (the TLS port for TLS topologies).</param>
    /// <param name="dataDirectory">The server's working folder as the server sees it.</param>
    /// <param name="tls">The TLS files as the server sees them, for TLS topologies.</param>
    /// <param name="extraArguments">Appended last, so they override the defaults (e.g. <c>--maxmemory 1mb</c>).</param>
    /// <param name="password">
    /// The password of a Password topology; a new random one when null. The nodes of a replicated topology share one.
    /// </param>
    public static RedisServerLaunch Create(RedisTopology topology, string bindAddress, int port, string dataDirectory, RedisTestTls? tls, IReadOnlyList<string> extraArguments, string? password = null)
    {
        var args = new List<string>
        {
            "--bind", bindAddress,
            // Persistence off: a test server must never write a dump nor load a stale one on restart.
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", dataDirectory,
        };

        if (topology.UsesTls)
        {
            if (tls is null)
            {
                throw new ArgumentException("A TLS topology needs its certificate files.", nameof(tls));
            }

            args.AddRange(["--port", "0", "--tls-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            args.AddRange(["--tls-cert-file", tls.ServerCertificatePath, "--tls-key-file", tls.ServerKeyPath]);
            args.AddRange(["--tls-ca-cert-file", tls.CaCertificatePath]);
            args.AddRange(["--tls-auth-clients", topology.RequiresClientCertificate ? "yes" : "no"]);
        }
        else
        {
            args.AddRange(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        string? user = null;
        switch (topology.Kind)
        {
            case RedisTopologyKind.Password:
                password ??= NewPassword();
                args.AddRange(["--requirepass", password]);
                break;
            case RedisTopologyKind.AclUser:
                user = topology.AclUserName;
                password = NewPassword();
                // The default user is off, so a client that forgets the ACL user cannot do anything at all.
                args.AddRange(["--user", "default", "off"]);
                args.AddRange(["--user", user, "on", ">" + password, "~" + topology.AllowedKeyPattern, "&*", "+@all", "-@dangerous"]);
                break;
            default:
                password = null;
                break;
        }

        args.AddRange(extraArguments);
        return new RedisServerLaunch(args, user, password);
    }

    /// <summary>A command line that is not one of the single-server topologies (a sentinel with its config file).</summary>
    public static RedisServerLaunch Custom(IReadOnlyList<string> arguments, string? password) => new(arguments, null, password);

    // Hex only: the password goes into a StackExchange.Redis configuration string, where ',' and '=' would break it.
    public static string NewPassword() => RandomNumberGenerator.GetHexString(32, lowercase: true);
}
