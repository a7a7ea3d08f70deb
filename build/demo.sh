#!/usr/bin/env bash
# The demo, end to end: installs what is missing, starts a throwaway redis-server on a free loopback port, runs
# samples/QuickStart against it, restarts that server when the sample asks (so the reconnect shows), and stops
# the server it started, by pid.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(repo_root)
cd "$root"
ensure_prerequisites

work=$(mktemp -d)
port=$(free_port)
server_pid=""
sample_pid=""
cleanup() {
  [ -n "$sample_pid" ] && kill "$sample_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && stop_pid "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building samples/QuickStart…"
dotnet build samples/QuickStart -c Release -nologo -v quiet -clp:NoSummary
server_pid=$(start_redis "$port" "$work/redis")
echo "Started redis-server (pid $server_pid) on 127.0.0.1:$port"

# The sample's Prometheus endpoint gets a free port of its own too (9464 may be taken on a shared machine).
metrics_port=$(free_port)
REDIS_URL="redis://127.0.0.1:$port" QUICKSTART_RESTART_SIGNAL="$work/restart" QUICKSTART_METRICS_PORT="$metrics_port" \
  dotnet run --project samples/QuickStart -c Release --no-build &
sample_pid=$!

# Restart the server once the sample asks for it.
while kill -0 "$sample_pid" 2>/dev/null; do
  if [ -f "$work/restart.request" ]; then
    rm -f "$work/restart.request"
    echo "Stopping redis-server (pid $server_pid)…"
    stop_pid "$server_pid"
    sleep 1
    server_pid=$(start_redis "$port" "$work/redis")
    echo "Restarted redis-server (pid $server_pid) on the same port"
    touch "$work/restart.done"
  fi
  sleep 0.1
done
status=0
wait "$sample_pid" || status=$?
sample_pid=""
exit "$status"
