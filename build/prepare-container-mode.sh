#!/usr/bin/env bash
# Prepares a machine to run the Redis test fixtures in container mode (REDISCACHING_TEST_SERVERS=container):
#   1. installs Debian's docker.io when no dockerd is present,
#   2. starts dockerd in the background when no engine answers (pid in $STATE_DIR/dockerd.pid, log beside it),
#   3. builds a Redis image with `docker import` from this host's redis binaries and the libraries they link,
#      because no image registry is reachable from these machines (a `docker pull redis` would fail),
#   4. prints the environment variables to export.
#
# Usage (as root):  build/prepare-container-mode.sh           prepare, then print the exports
#                   build/prepare-container-mode.sh --stop    stop the dockerd this script started (by its pid)
#                   build/prepare-container-mode.sh --rebuild re-import the image even if it exists
#
# Settings: REDISCACHING_TEST_REDIS_IMAGE (default rediscaching/redis-local:7.0),
#           REDISCACHING_DOCKER_STATE (default /tmp/rediscaching-docker), DOCKERD_ARGS (extra dockerd flags).
set -euo pipefail

IMAGE="${REDISCACHING_TEST_REDIS_IMAGE:-rediscaching/redis-local:7.0}"
STATE_DIR="${REDISCACHING_DOCKER_STATE:-/tmp/rediscaching-docker}"
PID_FILE="$STATE_DIR/dockerd.pid"
LOG_FILE="$STATE_DIR/dockerd.log"
# Debian's dockerd (20.10) speaks API 1.41 at most; a newer docker CLI or Docker.DotNet would otherwise be
# refused with "client version ... is too new".
export DOCKER_API_VERSION="${DOCKER_API_VERSION:-1.41}"

log() { printf '[prepare-container-mode] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

stop_dockerd() {
  if [[ ! -f "$PID_FILE" ]]; then
    log "no $PID_FILE: this script did not start a dockerd, nothing to stop"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd pid $pid"
    kill -TERM "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "dockerd pid $pid still alive after 10 s: SIGKILL"
      kill -KILL "$pid"
    fi
  else
    log "dockerd pid $pid is not running"
  fi
  rm -f "$PID_FILE"
}

engine_answers() { docker info >/dev/null 2>&1; }

install_docker() {
  if command -v dockerd >/dev/null 2>&1; then
    return 0
  fi
  log "dockerd not found: installing Debian's docker.io"
  # apt's progress goes to stderr: stdout carries only the exports, so `eval "$(...)"` works.
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io >&2
}

start_dockerd() {
  if engine_answers; then
    log "a Docker engine already answers; not starting another"
    return 0
  fi
  mkdir -p "$STATE_DIR"
  log "starting dockerd in the background (log: $LOG_FILE)"
  # shellcheck disable=SC2086 # DOCKERD_ARGS is a list of flags on purpose.
  nohup dockerd ${DOCKERD_ARGS:-} >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 60); do
    if engine_answers; then
      log "dockerd is up (pid $(cat "$PID_FILE"))"
      return 0
    fi
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      tail -n 30 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "dockerd exited during start-up (log above)"
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG_FILE" >&2 || true
  die "dockerd did not answer within 30 s (pid $(cat "$PID_FILE") left running; stop it with $0 --stop)"
}

build_image() {
  local rebuild="$1"
  if [[ "$rebuild" != "yes" ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "image $IMAGE already exists (use --rebuild to re-import it)"
    return 0
  fi
  local server cli work rootfs
  server="$(command -v redis-server)" || die "redis-server not found: apt-get install -y redis-server redis-tools"
  cli="$(command -v redis-cli)" || die "redis-cli not found: apt-get install -y redis-tools"
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand $work now: it is local to this function.
  trap "rm -rf '$work'" RETURN
  rootfs="$work/rootfs"
  mkdir -p "$rootfs/usr/bin" "$rootfs/data" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  # Debian's redis-server is a symlink to redis-check-rdb and picks its role from argv[0], so the copy must be
  # named redis-server (cp -L follows the link and keeps our name).
  cp -L "$server" "$rootfs/usr/bin/redis-server"
  cp -L "$cli" "$rootfs/usr/bin/redis-cli"
  ln -s redis-server "$rootfs/usr/bin/redis-sentinel"
  # Every library the two binaries link, and the dynamic loader, at the same paths as on the host.
  local lib
  while read -r lib; do
    [[ -n "$lib" && -e "$lib" ]] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$server" "$cli" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u)
  printf 'root:x:0:0:root:/root:/bin/false\nredis:x:999:999:redis:/data:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  tar -C "$rootfs" -cf "$work/rootfs.tar" .
  log "importing $IMAGE ($(du -h "$work/rootfs.tar" | cut -f1))"
  # The image has no shell: the fixtures pass the whole redis-server command line; the default below makes a
  # plain `docker run` (and Testcontainers without a command) answer on 6379 from outside the container.
  docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'WORKDIR /data' \
    --change 'EXPOSE 6379' \
    --change 'CMD ["/usr/bin/redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]' \
    "$work/rootfs.tar" "$IMAGE" >/dev/null
  log "checking the image: redis-server --version inside a container"
  docker run --rm "$IMAGE" /usr/bin/redis-server --version >&2
}

main() {
  [[ "$(id -u)" == "0" ]] || die "run as root (it installs packages and starts dockerd)"
  local rebuild="no"
  case "${1:-}" in
    --stop) stop_dockerd; exit 0 ;;
    --rebuild) rebuild="yes" ;;
    "") ;;
    *) die "unknown argument: $1 (expected --stop or --rebuild)" ;;
  esac
  install_docker
  start_dockerd
  build_image "$rebuild"
  local dockerd_pid="(not started by this script)"
  [[ -f "$PID_FILE" ]] && dockerd_pid="$(cat "$PID_FILE")"
  log "done; dockerd pid: $dockerd_pid; stop it with: $0 --stop"
  cat <<EOF
export DOCKER_API_VERSION=$DOCKER_API_VERSION
export TESTCONTAINERS_RYUK_DISABLED=true
export REDISCACHING_TEST_REDIS_IMAGE=$IMAGE
export REDISCACHING_TEST_SERVERS=container
EOF
}

main "$@"
