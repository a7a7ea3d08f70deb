using System;
using System.Collections.Generic;
using System.Text.Json;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// The channel's wire format, version 1 (the channel's name ends in <c>v1</c>): a UTF-8 JSON object
/// <c>{"event":"requirement.updated","args":{"id":"42"}}</c>. <c>event</c> is required; <c>args</c> is optional, an
/// object whose values are strings, numbers or booleans (taken as their JSON text); any other member (an <c>id</c>
/// to tell two identical events apart) is ignored. Anything else is rejected with a reason that quotes nothing but
/// a valid event name. Parse failures are results, never exceptions.
/// </summary>
internal readonly record struct CacheEventMessage(string? EventName, Dictionary<string, string>? Arguments, string? Problem)
{
    /// <summary>Larger messages are refused unread: no rule needs more, and a huge one would be a mistake or abuse.</summary>
    public const int MaxBytes = 64 * 1024;

    private const int MaxArguments = 64;

    public bool IsValid => Problem is null;

    public static CacheEventMessage Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            return Rejected(null, $"larger than {MaxBytes} bytes");
        }

        string? eventName = null;
        Dictionary<string, string>? arguments = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Rejected(null, "not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                reader.Read();
                if (property == "event")
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return Rejected(null, "'event' is not a string");
                    }

                    eventName = reader.GetString();
                }
                else if (property == "args")
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return Rejected(eventName, "'args' is not an object");
                    }

                    arguments = new Dictionary<string, string>(StringComparer.Ordinal);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = reader.GetString()!;
                        reader.Read();
                        string? value = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString(),
                            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                            JsonTokenType.True => "true",
                            JsonTokenType.False => "false",
                            _ => null,
                        };
                        if (value is null)
                        {
                            return Rejected(eventName, "an argument is not a string, number or boolean");
                        }

                        if (arguments.Count == MaxArguments)
                        {
                            return Rejected(eventName, $"more than {MaxArguments} arguments");
                        }

                        arguments[name] = value;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Rejected(eventName, "not one JSON object");
            }
        }
        catch (JsonException)
        {
            return Rejected(eventName, "not valid JSON");
        }

        if (eventName is null)
        {
            return Rejected(null, "no 'event' member");
        }

        if (!CacheEventNames.IsValidEventName(eventName))
        {
            return Rejected(null, "'event' is not a valid event name");
        }

        return new CacheEventMessage(eventName, arguments, null);
    }

    // Only a name that passed the event name rules is kept for the log: it cannot carry key material or control characters.
    private static CacheEventMessage Rejected(string? eventName, string problem) =>
        new(CacheEventNames.IsValidEventName(eventName) ? eventName : null, null, problem);
}
