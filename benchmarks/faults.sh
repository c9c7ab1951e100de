#!/usr/bin/env bash
# Fault harness: two instances of the sample app on one redis-server, under wrk load, while Redis
# is frozen, killed and restarted. What RELIABILITY.md records comes from this script.
#
# Parts (--part, default all):
#   burst   200 requests at once from one client, split over both instances (limit 50/minute):
#           how many are admitted (must be exactly 50), cold (the first requests the instances
#           see) and warm (after load), with floodgate.store.timeout 500ms (the default) and 200ms.
#   faults  for floodgate.store.on-failure allow and deny: wrk on both instances (clients spread
#           over 10.0.0.0/8), a probe every 50 ms per instance (a fresh client: is the response
#           decided, i.e. does it carry RateLimit?) and of a client banned before the fault; then
#           SIGSTOP of redis-server for 5 s, kill -9 with a restart after 5 s, and after 20 s.
#           Prints per fault: statuses (5xx other than 503 must be 0; 503 only under deny),
#           p99/max latency against the store timeout, seconds from Redis answering PING again
#           until responses are decided again, and the banned client's statuses.
#
# Build the sample's executable jar first:
#     ./mvnw -o -q -pl sample-app -am package -Dmaven.test.skip=true
# Needs wrk, curl, python3, redis-server, redis-cli (apt-get install -y wrk curl redis-server).
#
# Usage: benchmarks/faults.sh [--part all|burst|faults] [--timeout 200ms] [--persistence aof|none]
#                             [--modes "allow deny"] [--connections 8] [--bursts 5]
# Environment: JAVA (default java), JAVA_OPTS (default -Xms256m -Xmx256m), SAMPLE_JAR,
#              APP_ARGS (more arguments for both instances, e.g. --logging.level.dev.floodgate=DEBUG).
# Everything it starts (redis-server, two JVMs, wrk, probes) is stopped when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

part=all
timeout=200ms
persistence=aof
modes="allow deny"
connections=8
bursts=5
while [ $# -gt 0 ]; do
  case "$1" in
    --part) part="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --persistence) persistence="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --bursts) bursts="$2"; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "Unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$part" in all|burst|faults) ;; *) echo "--part must be all, burst or faults" >&2; exit 2 ;; esac
case "$persistence" in aof|none) ;; *) echo "--persistence must be aof or none" >&2; exit 2 ;; esac

java_cmd="${JAVA:-java}"
java_opts="${JAVA_OPTS:--Xms256m -Xmx256m}"
app_args="${APP_ARGS:-}"
jar="${SAMPLE_JAR:-sample-app/target/sample-app-0.1.0-SNAPSHOT.jar}"
probe="benchmarks/faults/probe.py"
lua="benchmarks/faults/load.lua"
for tool in wrk curl python3 redis-server redis-cli "$java_cmd"; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y wrk curl redis-server)" >&2; exit 1; }
done
if [ ! -f "$jar" ] || ! unzip -l "$jar" 2>/dev/null | grep 'BOOT-INF/lib/' >/dev/null; then
  echo "$jar is missing or not executable; build it with" >&2
  echo "  ./mvnw -o -q -pl sample-app -am package -Dmaven.test.skip=true" >&2
  exit 1
fi

work="$(mktemp -d -t floodgate-faults.XXXXXX)"
redis_pid=""
app_pids=()
bg_pids=()
cleanup() {
  for pid in "${bg_pids[@]}" "${app_pids[@]}" $redis_pid; do
    kill -CONT "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${bg_pids[@]}" "${app_pids[@]}" $redis_pid; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# free_port VAR: sets VAR to a loopback port nothing answers on, and none given out before
used_ports=" "
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 20000 ))
    case "$used_ports" in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      used_ports="$used_ports$port "
      printf -v "$1" '%s' "$port"
      return
    fi
  done
}

free_port redis_port
rcli() { redis-cli -p "$redis_port" "$@"; }

start_redis() {
  local args=(--port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '')
  if [ "$persistence" = aof ]; then
    args+=(--appendonly yes --appendfsync everysec)
  else
    args+=(--appendonly no)
  fi
  redis-server "${args[@]}" >>"$work/redis.log" 2>&1 &
  redis_pid=$!
  until [ "$(rcli ping 2>/dev/null)" = PONG ]; do sleep 0.02; done
}

stop_redis() {
  if [ -n "$redis_pid" ]; then
    kill -CONT "$redis_pid" 2>/dev/null || true
    kill -9 "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  fi
}

# start_app NAME PORT MANAGEMENT_PORT ON_FAILURE TIMEOUT
start_app() {
  local name="$1" port="$2" mport="$3" on_failure="$4" store_timeout="$5"
  # shellcheck disable=SC2086
  "$java_cmd" $java_opts -jar "$jar" --spring.main.banner-mode=off \
    "--server.port=$port" --server.address=127.0.0.1 \
    "--management.server.port=$mport" --management.server.address=127.0.0.1 \
    --spring.profiles.active=redis "--spring.data.redis.port=$redis_port" \
    --floodgate.behind-proxy=true --floodgate.proxy.trusted-proxies=127.0.0.0/8 \
    --floodgate.limit=50/minute "--floodgate.store.on-failure=$on_failure" \
    "--floodgate.store.timeout=$store_timeout" $app_args >"$work/$name.log" 2>&1 &
  app_pids+=($!)
}

await_app() {
  local mport="$1" log="$2"
  for _ in $(seq 1 480); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$mport/actuator/health" 2>/dev/null; then
      return 0
    fi
    sleep 0.25
  done
  echo "the app did not start; its log:" >&2
  tail -50 "$log" >&2
  exit 1
}

# starts both instances: sets a_port, b_port, a_mport, b_mport
start_apps() {
  local on_failure="$1" store_timeout="$2"
  free_port a_port; free_port a_mport; free_port b_port; free_port b_mport
  start_app a "$a_port" "$a_mport" "$on_failure" "$store_timeout"
  start_app b "$b_port" "$b_mport" "$on_failure" "$store_timeout"
  await_app "$a_mport" "$work/a.log"
  await_app "$b_mport" "$work/b.log"
}

stop_apps() {
  for pid in "${app_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${app_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  app_pids=()
}

# one short link per instance (links live in each instance's memory); prints its URL
link_url() {
  local port="$1" body
  body=$(curl -fsS -X POST "http://127.0.0.1:$port/api/links" -H 'Content-Type: application/json' \
    -H 'X-Forwarded-For: 192.0.2.1' -d '{"url":"https://spring.io/projects/spring-boot"}')
  echo "http://127.0.0.1:$port/api/links/$(echo "$body" | sed -n 's/.*"code":"\([^"]*\)".*/\1/p')"
}

# wrk on one URL in the background for SECONDS; output to FILE
load() {
  local url="$1" seconds="$2" file="$3"
  wrk -t 1 -c "$connections" -d "${seconds}s" --timeout 10s -s "$lua" "$url" >"$file" 2>&1 &
  bg_pids+=($!)
}

wait_bg() {
  for pid in "${bg_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bg_pids=()
}

header() {
  echo "# Floodgate fault harness"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/^Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$java_cmd" -version 2>&1 | head -1); JAVA_OPTS: $java_opts"
  echo "redis: $(redis-server --version | cut -d' ' -f3); persistence: $persistence$([ "$persistence" = aof ] && echo ' (appendonly yes, appendfsync everysec)')"
  echo "sample app: profile redis, floodgate.limit=50/minute, behind-proxy=true (trusting 127.0.0.0/8), clients by X-Forwarded-For"
  echo
}

burst_part() {
  local store_timeout run client out
  echo "## Burst: 200 requests at once from one client, 100 to each instance, limit 50/minute (admitted must be 50)"
  for store_timeout in 500ms 200ms; do
    start_redis
    rcli flushall >/dev/null
    start_apps allow "$store_timeout"
    # cold: the very first requests the instances decide (a path without a link: 404 when admitted)
    out=$(python3 "$probe" burst "http://127.0.0.1:$a_port/api/links/none,http://127.0.0.1:$b_port/api/links/none" 198.51.100.1 200)
    echo "store.timeout=$store_timeout cold:   $out"
    # warm: 10 s of load on both instances, then one burst after another from new clients
    load "$(link_url "$a_port")" 10 "$work/warm-a.txt"
    load "$(link_url "$b_port")" 10 "$work/warm-b.txt"
    wait_bg
    for run in $(seq 1 "$bursts"); do
      client="198.51.100.$((run + 1))"
      out=$(python3 "$probe" burst "http://127.0.0.1:$a_port/api/links/none,http://127.0.0.1:$b_port/api/links/none" "$client" 200)
      echo "store.timeout=$store_timeout warm $run: $out"
    done
    echo "  circuit after the bursts: a $(curl -fsS "http://127.0.0.1:$a_mport/actuator/floodgate" | sed -n 's/.*"circuit":"\([^"]*\)".*/\1/p'), b $(curl -fsS "http://127.0.0.1:$b_mport/actuator/floodgate" | sed -n 's/.*"circuit":"\([^"]*\)".*/\1/p')"
    echo "  store failures logged (DEBUG, with APP_ARGS=--logging.level.dev.floodgate.store=DEBUG): a $(grep -c "store failed" "$work/a.log" || true), b $(grep -c "store failed" "$work/b.log" || true)"
    cp "$work/a.log" "$work/burst-$store_timeout-a.log"; cp "$work/b.log" "$work/burst-$store_timeout-b.log"
    stop_apps
    stop_redis
  done
  echo
}

# inject NAME: freezes or kills Redis as NAME says; sets fault_at, ready_at
inject() {
  case "$1" in
    sigstop-5s)
      fault_at=$(now); kill -STOP "$redis_pid"; sleep 5; kill -CONT "$redis_pid" ;;
    kill-restart-5s)
      fault_at=$(now); stop_redis; sleep 5; start_redis ;;
    kill-restart-20s)
      fault_at=$(now); stop_redis; sleep 20; start_redis ;;
  esac
  until [ "$(rcli ping 2>/dev/null)" = PONG ]; do sleep 0.01; done
  ready_at=$(now)
}

fault_part() {
  local mode fault length url_a url_b banned=203.0.113.7 pre=5 post=15 total end_at status
  echo "## Faults under load: wrk -t 1 -c $connections per instance, store.timeout=$timeout, persistence $persistence"
  for mode in $modes; do
    start_redis
    rcli flushall >/dev/null
    start_apps "$mode" "$timeout"
    url_a=$(link_url "$a_port"); url_b=$(link_url "$b_port")
    status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$a_mport/actuator/floodgate/$banned" \
      -H 'Content-Type: application/json' -d '{"action":"ban"}')
    echo "### on-failure=$mode (ban of $banned through instance a: HTTP $status)"
    # both instances learn the ban from the store before any fault
    echo "  banned client before the faults: a $(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $banned" "$url_a"), b $(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $banned" "$url_b")"
    # warm-up load, not recorded
    load "$url_a" 10 "$work/warmup-a.txt"; load "$url_b" 10 "$work/warmup-b.txt"; wait_bg
    for fault in sigstop-5s kill-restart-5s kill-restart-20s; do
      case "$fault" in sigstop-5s|kill-restart-5s) length=5 ;; *) length=20 ;; esac
      total=$((pre + length + post))
      load "$url_a" "$total" "$work/$mode-$fault-a.txt"
      load "$url_b" "$total" "$work/$mode-$fault-b.txt"
      python3 "$probe" watch "$work/$mode-$fault.csv" "$total" "$banned" "$url_a,$url_b" &
      bg_pids+=($!)
      sleep "$pre"
      inject "$fault"
      wait_bg
      end_at=$(now)
      echo "#### $fault (on-failure=$mode): Redis answered PING $(elapsed "$fault_at" "$ready_at") s after the fault began"
      echo "  wrk instance a: $(tr '\n' ';' <"$work/$mode-$fault-a.txt" | sed 's/.*statuses/statuses/')"
      echo "  wrk instance b: $(tr '\n' ';' <"$work/$mode-$fault-b.txt" | sed 's/.*statuses/statuses/')"
      python3 "$probe" analyze "$work/$mode-$fault.csv" "$fault_at" "$ready_at" "$end_at" | sed 's/^/  /'
      # the index of restricted clients, not the client's hash (the probes recreate that)
      echo "  ban still in Redis after the fault: $(rcli zrange floodgate:restricted 0 -1 2>/dev/null | grep -qF "$banned" && echo yes || echo no)"
      sleep 2
    done
    echo "  store errors logged: a $(grep -c 'WARN\|ERROR' "$work/a.log" || true) WARN/ERROR lines, b $(grep -c 'WARN\|ERROR' "$work/b.log" || true)"
    cp "$work/a.log" "$work/$mode-a.log"; cp "$work/b.log" "$work/$mode-b.log"
    stop_apps
    stop_redis
    echo
  done
}

header
case "$part" in
  all) burst_part; fault_part ;;
  burst) burst_part ;;
  faults) fault_part ;;
esac
echo "(raw outputs and logs: $work)"
