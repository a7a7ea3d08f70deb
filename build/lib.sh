#!/usr/bin/env bash
# Shared by build/test.sh and build/demo.sh. Functions only; sourcing it starts nothing.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "error: '$*' needs root; run as root or install sudo" >&2; return 1; fi
}

# Installs what a fresh Debian machine with the .NET SDK lacks: the Redis server, sentinel and CLI.
ensure_prerequisites() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first" >&2
    return 1
  fi
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-sentinel >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "Installing redis-server redis-sentinel redis-tools (apt-get)…"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-sentinel redis-tools >/dev/null
  fi
}

# garnet-server (a dotnet tool, ~/.dotnet/tools): the tests of the fallback for servers that refuse CLIENT TRACKING run
# on it, and skip (saying why) where it is missing; a fresh machine gets it here. Only build/test.sh needs it.
ensure_garnet() {
  if [ -x "$HOME/.dotnet/tools/garnet-server" ]; then
    return 0
  fi
  echo "Installing garnet-server 2.2.8 (dotnet tool)…"
  if ! dotnet tool install -g garnet-server --version 2.2.8 >/dev/null; then
    echo "warning: garnet-server did not install; the Garnet tests will be skipped" >&2
  fi
}

# What the native AOT publish test links with (clang and zlib's headers); only build/test.sh needs it.
ensure_native_toolchain() {
  if ! command -v clang >/dev/null 2>&1 || [ ! -f /usr/include/zlib.h ]; then
    echo "Installing clang zlib1g-dev for the native AOT test (apt-get)…"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev >/dev/null
  fi
}

# Prints a loopback port nobody listens on (redis-server still fails cleanly if another process takes it first).
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "error: no free port found" >&2; return 1
}

# start_redis PORT DIR: starts a throwaway redis-server and prints its pid once it answers PING.
start_redis() {
  local port=$1 dir=$2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" --daemonize no >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then echo "$pid"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "error: redis-server on port $port did not start; log:" >&2
  tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  return 1
}

# stop_pid PID: stops a process this script started, by pid, and waits for it.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Prints each failed test of the TRX files in folder $1 with the first lines of its message, so that the tail of a
# CI log (often all that is kept) names what failed and why, not only how many.
print_failed_tests() {
  local trx
  for trx in "$1"/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      function decode(text) {
        gsub(/&lt;/, "<", text); gsub(/&gt;/, ">", text); gsub(/&quot;/, "\"", text); gsub(/&apos;/, "\047", text)
        gsub(/&#x[dD];/, "", text); gsub(/&#x[aA];/, " ", text); gsub(/&#x9;/, " ", text); gsub(/&amp;/, "\\&", text)
        return text
      }
      /<UnitTestResult / {
        failing = ($0 ~ /outcome="(Failed|Error|Timeout|Aborted)"/)
        if (failing && match($0, /testName="[^"]*"/)) print "FAILED: " decode(substr($0, RSTART + 10, RLENGTH - 11))
        in_message = 0; shown = 0
      }
      failing && /<Message>/ { in_message = 1 }
      failing && in_message {
        line = $0; sub(/.*<Message>/, "", line); ended = sub(/<\/Message>.*/, "", line)
        if (shown < 12 && !(ended && line ~ /^[ \t]*$/)) print "    " decode(line)
        else if (shown == 12) print "    ..."
        shown++
        if (ended) in_message = 0
      }
      /<\/UnitTestResult>/ { failing = 0 }
    ' "$trx"
  done
}
