using System;
using System.Buffers.Text;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Benchmarks.Resp;

/// <summary>
/// The floor: the least a client can do for a GET/SET round trip over one plain socket (RESP2, no library).
/// It sends pre-encoded requests, parses the replies in place and copies each value into one reused buffer, so
/// the steady state allocates nothing. A benchmark-only reference to compare StackExchange.Redis against, not
/// product code: no reconnects, no timeouts, one caller at a time.
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _receive = new byte[64 * 1024];
    private byte[] _value = new byte[16 * 1024];
    private int _start;
    private int _end;

    // A bulk string whose body is still arriving: its length, or -1 when between replies.
    private int _bulkLength = -1;
    private int _bulkRead;

    private RespConnection(Socket socket) => _socket = socket;

    /// <summary>Length of the last bulk string read (-1 for a nil reply).</summary>
    public int LastLength { get; private set; } = -1;

    /// <summary>The last bulk string read; valid until the next round trip.</summary>
    public ReadOnlySpan<byte> LastValue => _value.AsSpan(0, Math.Max(LastLength, 0));

    public static async Task<RespConnection> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        // NoDelay as every Redis client sets it: small requests must not wait for Nagle.
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new RespConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="requests"/> (one or many commands) and reads <paramref name="replies"/>
    /// replies. Returns the total length of the bulk strings received.</summary>
    // Pooled builder: the state machine is reused instead of boxed per call, so the floor allocates nothing.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> RoundTripAsync(ReadOnlyMemory<byte> requests, int replies)
    {
        while (!requests.IsEmpty)
        {
            int sent = await _socket.SendAsync(requests, SocketFlags.None);
            requests = requests[sent..];
        }

        long payload = 0;
        int done = 0;
        while (true)
        {
            while (done < replies && TryReadReply(ref payload))
            {
                done++;
            }

            if (done == replies)
            {
                return payload;
            }

            MakeRoom();
            int read = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("Redis closed the connection in the middle of a reply.");
            }

            _end += read;
        }
    }

    public void Dispose() => _socket.Dispose();

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_receive.Length - _end < 1024)
        {
            // Keep a partial header line: move it to the front rather than parse across a wrap.
            Buffer.BlockCopy(_receive, _start, _receive, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    // Consumes one whole reply from the buffer, or returns false (keeping partial state) when more bytes are needed.
    private bool TryReadReply(ref long payload)
    {
        if (_bulkLength >= 0)
        {
            return TryFinishBulk(ref payload);
        }

        ReadOnlySpan<byte> available = _receive.AsSpan(_start, _end - _start);
        int lineEnd = available.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> line = available[..lineEnd];
        if (line.IsEmpty)
        {
            throw new InvalidDataException("Empty RESP reply line.");
        }

        _start += lineEnd + 2;
        switch (line[0])
        {
            case (byte)'$':
                int length = ParseLength(line[1..]);
                if (length < 0)
                {
                    // $-1: the key does not exist (RESP2 nil).
                    LastLength = -1;
                    return true;
                }

                if (_value.Length < length)
                {
                    _value = new byte[length];
                }

                _bulkLength = length;
                _bulkRead = 0;
                return TryFinishBulk(ref payload);
            case (byte)'+':
            case (byte)':':
                return true;
            case (byte)'-':
                throw new InvalidOperationException("Redis replied with an error: " + Encoding.UTF8.GetString(line[1..]));
            default:
                throw new InvalidDataException($"Unexpected RESP reply type '{(char)line[0]}'.");
        }
    }

    // Copies the body of the current bulk string as it arrives, then checks and consumes its trailing CRLF.
    private bool TryFinishBulk(ref long payload)
    {
        if (_bulkRead < _bulkLength)
        {
            int take = Math.Min(_end - _start, _bulkLength - _bulkRead);
            _receive.AsSpan(_start, take).CopyTo(_value.AsSpan(_bulkRead));
            _start += take;
            _bulkRead += take;
            if (_bulkRead < _bulkLength)
            {
                return false;
            }
        }

        if (_end - _start < 2)
        {
            return false;
        }

        if (_receive[_start] != (byte)'\r' || _receive[_start + 1] != (byte)'\n')
        {
            throw new InvalidDataException("A RESP bulk string is not followed by CRLF.");
        }

        _start += 2;
        payload += _bulkLength;
        LastLength = _bulkLength;
        _bulkLength = -1;
        return true;
    }

    private static int ParseLength(ReadOnlySpan<byte> digits)
    {
        if (!Utf8Parser.TryParse(digits, out int value, out int consumed) || consumed != digits.Length)
        {
            throw new InvalidDataException("A RESP length is not an integer.");
        }

        return value;
    }
}
