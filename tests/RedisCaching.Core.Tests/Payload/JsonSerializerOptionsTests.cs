using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NUnit.Framework;
using RedisCaching.Internal.Codecs;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// The JSON format honours the <see cref="JsonSerializerOptions"/> the app configured, including the settings that
/// System.Text.Json takes from the writer and reader rather than from the options (encoder, indentation, depth,
/// comments), which a serializer that makes its own writer and reader must carry over.
/// </summary>
public class JsonSerializerOptionsTests
{
    private static string Write<T>(JsonSerializerOptions options, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new JsonSerializerProvider(options).GetSerializer<T>().Serialize(value, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Test]
    public void The_configured_encoder_and_indentation_are_used()
    {
        var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var indented = new JsonSerializerOptions { WriteIndented = true, IndentSize = 4 };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Write(relaxed, new Note("<b>é</b>")), Is.EqualTo("{\"Text\":\"<b>é</b>\"}"));
            Assert.That(Write(new JsonSerializerOptions(), new Note("<b>é</b>")), Is.EqualTo("{\"Text\":\"\\u003Cb\\u003E\\u00E9\\u003C/b\\u003E\"}"), "the default encoder escapes");
            Assert.That(Write(indented, new Note("x")), Does.Contain("\n    \"Text\": \"x\""));
        }
    }

    [Test]
    public void Serializers_with_different_options_on_one_thread_each_write_with_their_own()
    {
        var relaxed = new JsonSerializerProvider(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).GetSerializer<Note>();
        var strict = new JsonSerializerProvider(new JsonSerializerOptions()).GetSerializer<Note>();
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 3; i++)
        {
            buffer.ResetWrittenCount();
            relaxed.Serialize(new Note("<"), buffer);
            Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan), Is.EqualTo("{\"Text\":\"<\"}"));
            buffer.ResetWrittenCount();
            strict.Serialize(new Note("<"), buffer);
            Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan), Is.EqualTo("{\"Text\":\"\\u003C\"}"));
        }
    }

    /// <summary>A reader with its default depth (64) could not read back what a serializer allowed 200 levels deep wrote.</summary>
    [Test]
    public void A_configured_max_depth_applies_to_reading_too()
    {
        var options = new JsonSerializerOptions { MaxDepth = 200 };
        var serializer = new JsonSerializerProvider(options).GetSerializer<Link>();
        var chain = new Link(null);
        for (var i = 0; i < 100; i++)
        {
            chain = new Link(chain);
        }

        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(chain, buffer);
        var read = serializer.Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        var depth = 0;
        for (var link = read; link.Next is not null; link = link.Next)
        {
            depth++;
        }

        Assert.That(depth, Is.EqualTo(100));
    }

    [Test]
    public void Comments_and_trailing_commas_are_read_when_the_options_allow_them()
    {
        var options = new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var json = "{\"Text\":\"x\", /* written by another program */ }"u8.ToArray();
        var read = new JsonSerializerProvider(options).GetSerializer<Note>().Deserialize(new ReadOnlySequence<byte>(json));
        Assert.That(read.Text, Is.EqualTo("x"));
    }

    internal sealed record Note(string Text);

    internal sealed class Link(Link? next)
    {
        public Link? Next { get; } = next;
    }
}
