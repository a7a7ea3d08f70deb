using System;
using System.Linq;

namespace RedisCaching.Internal;

/// <summary>
/// Keeps the configuration layers honest: a layer that sets a new connection string brings a new address, so the
/// address parts an earlier layer set (host, port, credentials, database, endpoints, TLS switch and server name)
/// must not be applied on top of it, which could send one server's password to another.
/// </summary>
internal static class AddressParts
{
    public static void ClearAddress(RedisConnectionOptions options)
    {
        options.Host = null;
        options.Port = null;
        options.User = null;
        options.Password = null;
        options.Database = null;
        options.Endpoints.Clear();
        options.Tls.Enabled = null;
        options.Tls.ServerName = null;
    }

    /// <summary>Runs one configuration layer; if it changed the connection string, earlier layers' address parts it did not set itself are dropped.</summary>
    public static void ApplyLayer(RedisConnectionOptions options, Action layer)
    {
        var before = (options.ConnectionString, options.Host, options.Port, options.User, options.Password, options.Database,
            Endpoints: options.Endpoints.ToArray(), options.Tls.Enabled, options.Tls.ServerName);
        layer();
        if (string.Equals(before.ConnectionString, options.ConnectionString, StringComparison.Ordinal) || options.ConnectionString is null)
        {
            return;
        }

        if (Equals(before.Host, options.Host))
        {
            options.Host = null;
        }

        if (before.Port == options.Port)
        {
            options.Port = null;
        }

        if (Equals(before.User, options.User))
        {
            options.User = null;
        }

        if (Equals(before.Password, options.Password))
        {
            options.Password = null;
        }

        if (before.Database == options.Database)
        {
            options.Database = null;
        }

        if (before.Endpoints.SequenceEqual(options.Endpoints))
        {
            options.Endpoints.Clear();
        }

        if (before.Enabled == options.Tls.Enabled)
        {
            options.Tls.Enabled = null;
        }

        if (Equals(before.ServerName, options.Tls.ServerName))
        {
            options.Tls.ServerName = null;
        }
    }
}
