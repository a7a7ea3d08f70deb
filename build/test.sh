#!/usr/bin/env bash
# Every test, from a clean clone on a fresh Debian machine with the .NET SDK: installs what is missing, builds,
# runs all test projects against real redis-server processes, and ends with "N passed, N failed, N skipped"
# computed from the TRX result files. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(repo_root)
cd "$root"
ensure_prerequisites
ensure_native_toolchain
ensure_garnet

results="$root/artifacts/test-results"

# This run's own temp folder: the harness puts its servers' folders under it, so the leak check below finds this
# run's leftovers only, never the servers of another run on the same machine.
run_tmp=$(mktemp -d -t rediscaching-run.XXXXXX)
export TMPDIR="$run_tmp"
rm -rf "$results"
mkdir -p "$results"

dotnet build RedisCaching.sln -c Release -nologo -clp:NoSummary
test_status=0
# The multi-process topologies (Sentinel, Cluster) and the native AOT publish load both cores for minutes: they run
# after the rest, one project at a time, so they do not starve the timing-sensitive tests running beside them.
heavy="TestCategory=HaTopology|TestCategory=NativeAot"
dotnet test RedisCaching.sln -c Release --no-build --nologo --filter "TestCategory!=HaTopology&TestCategory!=NativeAot" \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || test_status=$?
# Core, Invalidation and Diagnostics hold the cache's Sentinel/Cluster tests (HighAvailability/, Cluster*Tests).
for project in tests/RedisCaching.Testing.Tests tests/RedisCaching.Generators.Tests tests/RedisCaching.Core.Tests \
  tests/RedisCaching.Invalidation.Tests tests/RedisCaching.Diagnostics.Tests; do
  dotnet test "$project" -c Release --no-build --nologo --filter "$heavy" \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || test_status=$?
done

# The harness must leave no server behind: any redis-server or redis-sentinel still running from its temp folders
# is a leak (and is stopped here, by pid, so it does not outlive the run).
leaked=""
for proc in /proc/[0-9]*; do
  # redis-server rewrites its command line, so match its name and its working folder (the harness's --dir).
  # A sentinel started as redis-sentinel keeps that name; one started as `redis-server --sentinel` is redis-server.
  case "$(cat "$proc/comm" 2>/dev/null)" in
    redis-server|redis-sentinel) ;;
    *) continue ;;
  esac
  case "$(readlink "$proc/cwd" 2>/dev/null)" in
    "$run_tmp"/rediscaching-tests/*) leaked="$leaked ${proc#/proc/}" ;;
  esac
done
if [ -n "$leaked" ]; then
  echo "error: the test harness left redis-server/redis-sentinel running (pids:$leaked); stopping them" >&2
  for pid in $leaked; do stop_pid "$pid"; done
  test_status=1
fi
rm -rf "$run_tmp"

passed=0; failed=0; total=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  attr() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$((total + $(attr total)))
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
done
skipped=$((total - passed - failed))

if [ "$files" -eq 0 ]; then
  echo "error: no TRX results were written to $results" >&2
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi
[ "$failed" -eq 0 ] || print_failed_tests "$results"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$failed" -gt 0 ] || [ "$test_status" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
