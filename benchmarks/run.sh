#!/usr/bin/env bash
# Runs the Redis benchmarks against a throwaway redis-server that this script starts on 127.0.0.1 and stops:
#   1. redis-benchmark (the server's own client: the ceiling any client can reach on this box),
#   2. the load driver (StackExchange.Redis, 1/2/4/10 multiplexers x 1/64/256 callers),
#   3. BenchmarkDotNet suites, only with --bdn or a filter,
#   4. sustained L2-hit throughput per peer against the raw GET (l2 mode), only with --l2,
#   5. the two-instance Zipf workload per peer (stale reads), only with --zipf,
#   6. pattern invalidation of 1,000,000 keys with the p99 of other clients' GETs (invalidate mode), only with --invalidate,
#   7. the 64-caller GET/SET load against a 3+3 Redis Cluster this script also starts, next to the standalone server
#      (cluster-load mode), only with --cluster-load,
#   8. the hits with OpenTelemetry listening on and off, alternating in one process (telemetry-overhead mode), only
#      with --telemetry-overhead.
# Results go to benchmarks/results/. Every figure is a median of --repeats runs; compare ratios, not absolutes:
# the machine is shared and client and server run on the same cores.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: benchmarks/run.sh [options] [BDN filter...]
  --repeats N              runs of each redis-benchmark / load point; medians reported (default 3)
  --duration S             load driver: measured seconds per run (default 3)
  --warmup S               load driver: warm-up seconds per run (default 1)
  --load-args "ARGS"       extra load driver arguments, e.g. "--callers 64 --ops get"
  --load-out NAME          load driver report file under benchmarks/results/ (default load.md)
  --skip-redis-benchmark   skip step 1
  --skip-load              skip step 2
  --bdn                    run every BenchmarkDotNet suite (same as the filter '*')
  FILTER...                run the BenchmarkDotNet suites matching these filters, e.g. '*RawGet*'
  --bdn-args "ARGS"        extra BenchmarkDotNet arguments, e.g. "--job short"
  --l2                     run the sustained L2-hit comparison (l2 mode); report in results/peers-l2.md
  --l2-args "ARGS"         l2 mode arguments, e.g. "--callers 1,64 --repeats 3"
  --zipf                   run the Zipf workload (zipf mode) after the rest; report in results/zipf.md
  --zipf-args "ARGS"       zipf mode arguments, e.g. "--peers raw,fusion,hybrid --repeats 3 --duration 10"
  --invalidate             run the pattern invalidation benchmark (invalidate mode); report in results/invalidation.md
  --invalidate-args "ARGS" invalidate mode arguments, e.g. "--keys 1000000 --match 0.1 --budgets 5,0 --repeats 3"
  --cluster-load           start a cluster (3 primaries + 3 replicas, redis-cli --cluster create) and run the load
                           against it and the standalone server (cluster-load mode); report in results/cluster-load.md
  --cluster-load-args "ARGS" cluster-load mode arguments, e.g. "--targets raw,cache --ops get,set --repeats 5"
  --telemetry-overhead     run the same-process telemetry overhead comparison; report in results/telemetry-overhead-same-process.md
  --telemetry-overhead-args "ARGS" telemetry-overhead mode arguments, e.g. "--rounds 600 --calls 200"
EOF
}

REPEATS=3
DURATION=3
WARMUP=1
LOAD_ARGS=""
LOAD_OUT="load.md"
BDN_ARGS=""
RUN_REDIS_BENCHMARK=1
RUN_LOAD=1
RUN_ZIPF=0
RUN_L2=0
RUN_INVALIDATE=0
INVALIDATE_ARGS=""
RUN_CLUSTER_LOAD=0
CLUSTER_LOAD_ARGS=""
RUN_TELEMETRY_OVERHEAD=0
TELEMETRY_OVERHEAD_ARGS=""
CLUSTER_PIDS=()
CLUSTER_ENDPOINTS=""
L2_ARGS=""
ZIPF_ARGS=""
FILTERS=()
while (($# > 0)); do
  case "$1" in
    --repeats) REPEATS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --load-args) LOAD_ARGS="$2"; shift 2 ;;
    --load-out) LOAD_OUT="$2"; shift 2 ;;
    --bdn-args) BDN_ARGS="$2"; shift 2 ;;
    --l2) RUN_L2=1; shift ;;
    --l2-args) L2_ARGS="$2"; shift 2 ;;
    --zipf) RUN_ZIPF=1; shift ;;
    --zipf-args) ZIPF_ARGS="$2"; shift 2 ;;
    --invalidate) RUN_INVALIDATE=1; shift ;;
    --invalidate-args) INVALIDATE_ARGS="$2"; shift 2 ;;
    --cluster-load) RUN_CLUSTER_LOAD=1; shift ;;
    --cluster-load-args) CLUSTER_LOAD_ARGS="$2"; shift 2 ;;
    --telemetry-overhead) RUN_TELEMETRY_OVERHEAD=1; shift ;;
    --telemetry-overhead-args) TELEMETRY_OVERHEAD_ARGS="$2"; shift 2 ;;
    --skip-redis-benchmark) RUN_REDIS_BENCHMARK=0; shift ;;
    --skip-load) RUN_LOAD=0; shift ;;
    --bdn) FILTERS+=('*'); shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "Unknown option $1" >&2; usage >&2; exit 2 ;;
    *) FILTERS+=("$1"); shift ;;
  esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PROJECT="$HERE/RedisCaching.Benchmarks"
RESULTS="$HERE/results"
WORK="$(mktemp -d)"
REDIS_PID=""
mkdir -p "$RESULTS"

cleanup() {
  # Only the servers this script started, by their pids.
  local pid
  for pid in "$REDIS_PID" "${CLUSTER_PIDS[@]}"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_redis() {
  local attempt
  for attempt in $(seq 1 20); do
    PORT=$((20000 + RANDOM % 30000))
    port_in_use "$PORT" && continue
    redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --daemonize no \
      --logfile "$WORK/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; then
        echo "redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$PORT (pid $REDIS_PID)"
        return 0
      fi
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.1
    done
    # Lost a race for the port (or failed to start): stop it if alive and try another port.
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  done
  echo "Could not start redis-server; see $WORK/redis.log" >&2
  exit 1
}

# A free loopback port whose cluster bus port (port + 10000) is free too.
free_cluster_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" || port_in_use $((port + 10000)) || { echo "$port"; return 0; }
  done
}

# Six cluster-enabled redis-servers (each in its own folder under $WORK), then `redis-cli --cluster create` with one
# replica per primary; waits until every node reports cluster_state:ok. The pids go to CLUSTER_PIDS (cleanup stops
# them), the nodes to CLUSTER_ENDPOINTS (comma-separated host:port).
start_cluster() {
  local ports=() port dir i
  for i in 1 2 3 4 5 6; do
    port=$(free_cluster_port)
    dir="$WORK/cluster-$port"
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no --dir "$dir" \
      --logfile "$dir/redis.log" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 &
    CLUSTER_PIDS+=($!)
    ports+=("$port")
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
      sleep 0.1
    done
  done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes >"$WORK/cluster-create.log"
  for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do
      redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
      sleep 0.1
    done
  done
  CLUSTER_ENDPOINTS=$(printf '127.0.0.1:%s,' "${ports[@]}")
  CLUSTER_ENDPOINTS=${CLUSTER_ENDPOINTS%,}
  echo "redis cluster: 3 primaries + 3 replicas on $CLUSTER_ENDPOINTS (pids ${CLUSTER_PIDS[*]})"
}

# Requests per redis-benchmark run, per shape, sized for about 2-5 s each on this box.
requests_for() { # size clients pipeline
  if (($3 > 1)); then (($1 > 1000)) && echo 200000 || echo 1000000
  elif (($2 > 1)); then (($1 > 1000)) && echo 100000 || echo 200000
  else echo 30000
  fi
}

run_redis_benchmark() {
  local raw="$RESULTS/redis-benchmark-runs.csv" repeat size shape clients pipeline n
  echo "repeat,size,clients,pipeline,test,rps,avg_ms,min_ms,p50_ms,p95_ms,p99_ms,max_ms" >"$raw"
  for repeat in $(seq 1 "$REPEATS"); do
    for size in 100 10240; do
      # 1 caller; 64 connections with one request each; 64 pipelined requests on one connection.
      for shape in "1 1" "64 1" "1 64"; do
        read -r clients pipeline <<<"$shape"
        n=$(requests_for "$size" "$clients" "$pipeline")
        echo "redis-benchmark run $repeat: -d $size -c $clients -P $pipeline -n $n"
        redis-benchmark -h 127.0.0.1 -p "$PORT" -t get,set -d "$size" -c "$clients" -P "$pipeline" -n "$n" --csv \
          | tail -n +2 | tr -d '"' | sed "s/^/$repeat,$size,$clients,$pipeline,/" >>"$raw"
      done
    done
  done
  summarize_redis_benchmark "$raw" >"$RESULTS/redis-benchmark.md"
  cat "$RESULTS/redis-benchmark.md"
}

# Median per shape of rps, p50, p99 and max (mawk has no asort: a small insertion sort).
summarize_redis_benchmark() {
  echo "redis-benchmark $(redis-benchmark --version 2>/dev/null | awk '{print $2}'), median of $REPEATS run(s)" \
    "(-t get,set -d SIZE -c CLIENTS -P PIPELINE -n N --csv). Latencies are per request, client side."
  echo
  echo "| test | value | -c | -P | requests/s | p50 µs | p99 µs | max µs | requests/s per run |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  tail -n +2 "$1" | sort -t, -k5,5 -k2,2n -k4,4n -k3,3n | awk -F, '
    function median(list,   v, n, i, j, t) {
      n = split(list, v, " ")
      for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function flush() {
      if (key == "") return
      split(key, k, ",")
      printf "| %s | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %s |\n", k[4], (k[1] == 100 ? "100 B" : k[1] / 1024 " KB"),
        k[2], k[3], median(rps), median(p50) * 1000, median(p99) * 1000, median(mx) * 1000, runs
    }
    {
      shape = $2 "," $3 "," $4 "," $5
      if (shape != key) { flush(); key = shape; rps = p50 = p99 = mx = runs = "" }
      rps = rps " " $6; p50 = p50 " " $9; p99 = p99 " " $11; mx = mx " " $12
      runs = runs (runs == "" ? "" : " / ") sprintf("%.0f", $6)
    }
    END { flush() }'
}

cd "$REPO"
# No build servers: nothing of ours keeps running after the script.
dotnet build "$PROJECT" -c Release -nologo -v quiet --disable-build-servers
start_redis
export REDISCACHING_BENCH_REDIS="127.0.0.1:$PORT"

if ((RUN_REDIS_BENCHMARK)); then
  run_redis_benchmark
fi

if ((RUN_LOAD)); then
  # shellcheck disable=SC2086 # LOAD_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- load --endpoint "$REDISCACHING_BENCH_REDIS" \
    --repeats "$REPEATS" --duration "$DURATION" --warmup "$WARMUP" --out "$RESULTS/$LOAD_OUT" $LOAD_ARGS
fi

if ((${#FILTERS[@]} > 0)); then
  ARTIFACTS="$HERE/BenchmarkDotNet.Artifacts"
  rm -rf "$ARTIFACTS/results"
  # shellcheck disable=SC2086 # BDN_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- --filter "${FILTERS[@]}" --artifacts "$ARTIFACTS" $BDN_ARGS
  # Only the GitHub Markdown reports are kept in the repository; the artifacts folder is ignored.
  cp "$ARTIFACTS"/results/*-report-github.md "$RESULTS"/
  echo "BenchmarkDotNet reports copied to $RESULTS"
fi

if ((RUN_L2)); then
  # shellcheck disable=SC2086 # L2_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- l2 --endpoint "$REDISCACHING_BENCH_REDIS" \
    --out "$RESULTS/peers-l2.md" $L2_ARGS
fi

if ((RUN_ZIPF)); then
  # shellcheck disable=SC2086 # ZIPF_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- zipf --endpoint "$REDISCACHING_BENCH_REDIS" \
    --out "$RESULTS/zipf.md" $ZIPF_ARGS
fi

if ((RUN_INVALIDATE)); then
  # shellcheck disable=SC2086 # INVALIDATE_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- invalidate --endpoint "$REDISCACHING_BENCH_REDIS" \
    --out "$RESULTS/invalidation.md" $INVALIDATE_ARGS
fi

if ((RUN_TELEMETRY_OVERHEAD)); then
  # shellcheck disable=SC2086 # TELEMETRY_OVERHEAD_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- telemetry-overhead \
    --out "$RESULTS/telemetry-overhead-same-process.md" $TELEMETRY_OVERHEAD_ARGS
fi

if ((RUN_CLUSTER_LOAD)); then
  start_cluster
  # shellcheck disable=SC2086 # CLUSTER_LOAD_ARGS is a list of words on purpose.
  dotnet run -c Release --no-build --project "$PROJECT" -- cluster-load --standalone "$REDISCACHING_BENCH_REDIS" \
    --cluster "$CLUSTER_ENDPOINTS" --out "$RESULTS/cluster-load.md" $CLUSTER_LOAD_ARGS
fi
