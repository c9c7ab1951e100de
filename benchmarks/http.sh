#!/usr/bin/env bash
# HTTP throughput of the sample app with Floodgate on against the same app with Floodgate off.
#
# Starts sample-app/target/sample-app-0.1.0-SNAPSHOT.jar twice on loopback: once with Floodgate on
# and a default limit that is never reached (every request is decided and admitted), once with
# --floodgate.enabled=false. Creates one short link in each, then drives GET /api/links/<code>
# with wrk in alternating rounds (on/off, then off/on, ...), after a warm-up round for each, and
# prints requests/s per round and the on/off ratio. Both applications stay up for the whole run,
# so they warm up alike and only the one under load uses the CPU.
#
# Build the executable jar first (the sample's pom binds no repackage goal, so ask for it):
#                        ./mvnw -q install -DskipTests
#                        ./mvnw -q -pl sample-app package spring-boot:repackage -DskipTests
# Needs wrk and curl:    apt-get install -y wrk curl     (and redis-server for --store redis)
#
# With --floor (implies --store redis) a third app runs beside them: the same sample with Floodgate
# off and one minimal Redis script call per request (INCR of a per-IP key, PEXPIRE on first use,
# through the same Spring Data Redis / Lettuce connection: sample.benchmark.redis-floor=true), the
# floor any Redis-backed limiter stands on. Rounds then rotate the order of the three, and the
# figure that matters is on/floor.
#
# Usage: benchmarks/http.sh [--store memory|redis] [--floor] [--rounds 5] [--duration 10] [--warmup 20]
#                           [--connections 16] [--threads 1]
# Environment: JAVA (default java), JAVA_OPTS (default -Xms512m -Xmx512m), SAMPLE_JAR.
set -euo pipefail
cd "$(dirname "$0")/.."

store=memory
floor=0
rounds=5
duration=10
warmup=20
connections=16
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --floor) floor=1; store=redis; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "Unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$store" in memory|redis) ;; *) echo "--store must be memory or redis" >&2; exit 2 ;; esac

java_cmd="${JAVA:-java}"
java_opts="${JAVA_OPTS:--Xms512m -Xmx512m}"
jar="${SAMPLE_JAR:-sample-app/target/sample-app-0.1.0-SNAPSHOT.jar}"
for tool in wrk curl "$java_cmd"; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y wrk curl)" >&2; exit 1; }
done
# shellcheck source=benchmarks/lib.sh
. benchmarks/lib.sh
require_jar "$jar" sample-app
open_scratch http



store_args=()
redis_note=""
if [ "$store" = redis ]; then
  command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install -y redis-server)" >&2; exit 1; }
  start_redis
  store_args=(--spring.profiles.active=redis "--spring.data.redis.port=$redis_port")
  redis_note=" (redis-server on 127.0.0.1:$redis_port)"
fi

start_app() {
  local name="$1" port="$2" management_port="$3"
  shift 3
  # shellcheck disable=SC2086
  # the sample serves its actuator on 127.0.0.1:8081; each app here gets a free management port of its own
  "$java_cmd" $java_opts -jar "$jar" "--server.port=$port" "--management.server.port=$management_port" \
    --server.address=127.0.0.1 \
    --spring.main.banner-mode=off "${store_args[@]}" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

# six distinct free ports: each app's own and its management port
ports=()
while [ "${#ports[@]}" -lt 6 ]; do
  candidate=$(free_port)
  case " ${ports[*]} " in *" $candidate "*) ;; *) ports+=("$candidate") ;; esac
done
on_port=${ports[0]} on_management=${ports[1]} off_port=${ports[2]} off_management=${ports[3]}
floor_port=${ports[4]} floor_management=${ports[5]}
start_app on "$on_port" "$on_management" --floodgate.enabled=true --floodgate.limit=1000000000/minute
start_app off "$off_port" "$off_management" --floodgate.enabled=false
if [ "$floor" = 1 ]; then
  start_app floor "$floor_port" "$floor_management" --floodgate.enabled=false --sample.benchmark.redis-floor=true
fi
await "http://127.0.0.1:$on_management/actuator/health" "The app with Floodgate on" "$work/on.log"
await "http://127.0.0.1:$off_management/actuator/health" "The app with Floodgate off" "$work/off.log"
if [ "$floor" = 1 ]; then
  await "http://127.0.0.1:$floor_management/actuator/health" "The floor app" "$work/floor.log"
fi

# one link in each application; GET /api/links/<code> falls under the default limit
create_link() {
  local port="$1" body
  body=$(curl -fsS -X POST "http://127.0.0.1:$port/api/links" -H 'Content-Type: application/json' \
    -d '{"url":"https://spring.io/projects/spring-boot"}')
  echo "$body" | sed -n 's/.*"code":"\([^"]*\)".*/\1/p'
}
on_url="http://127.0.0.1:$on_port/api/links/$(create_link "$on_port")"
off_url="http://127.0.0.1:$off_port/api/links/$(create_link "$off_port")"
curl -fsS -D "$work/on.headers" -o /dev/null "$on_url"
curl -fsS -D "$work/off.headers" -o /dev/null "$off_url"
if ! grep -qi '^RateLimit:' "$work/on.headers"; then
  echo "Floodgate is not deciding GET $on_url (no RateLimit header)" >&2
  exit 1
fi
if grep -qi '^RateLimit:' "$work/off.headers"; then
  echo "Floodgate is deciding with floodgate.enabled=false" >&2
  exit 1
fi
if [ "$floor" = 1 ]; then
  floor_url="http://127.0.0.1:$floor_port/api/links/$(create_link "$floor_port")"
  curl -fsS -o /dev/null "$floor_url"
  if [ "$(redis-cli -p "$redis_port" --scan --pattern 'floor:*' | wc -l)" -lt 1 ]; then
    echo "The floor app made no Redis call" >&2
    exit 1
  fi
fi



echo "# Floodgate HTTP benchmark: $store store$redis_note"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/^Model name/ { gsub(/^ +/, "", $2); print $2; exit }')"
echo "java: $("$java_cmd" -version 2>&1 | head -1); JAVA_OPTS: $java_opts"
echo "wrk: -t $threads -c $connections -d ${duration}s on loopback; warm-up ${warmup}s each; $rounds rounds"
echo "on:  $on_url  (floodgate.limit=1000000000/minute: every request decided, none rejected)"
echo "off: $off_url  (floodgate.enabled=false)"
if [ "$floor" = 1 ]; then
  echo "floor: $floor_url  (Floodgate off; one INCR/PEXPIRE script call per request)"
fi
echo
drive "$on_url" "$warmup" >/dev/null
drive "$off_url" "$warmup" >/dev/null

if [ "$floor" = 1 ]; then
  drive "$floor_url" "$warmup" >/dev/null
  three_way_rounds on "$on_url" floor "$floor_url" off "$off_url"
  exit 0
fi

printf '%-6s %14s %14s %8s\n' round "on req/s" "off req/s" "on/off"
: >"$work/on.rates"
: >"$work/off.rates"
: >"$work/ratios"
for round in $(seq 1 "$rounds"); do
  # alternate which goes first, so neither always runs on a hotter (or cooler) machine
  if [ $((round % 2)) -eq 1 ]; then
    on=$(drive "$on_url" "$duration")
    off=$(drive "$off_url" "$duration")
  else
    off=$(drive "$off_url" "$duration")
    on=$(drive "$on_url" "$duration")
  fi
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')
  echo "$on" >>"$work/on.rates"
  echo "$off" >>"$work/off.rates"
  echo "$ratio" >>"$work/ratios"
  printf '%-6s %14s %14s %8s\n' "$round" "$on" "$off" "$ratio"
done

on_median=$(median %.2f <"$work/on.rates")
off_median=$(median %.2f <"$work/off.rates")
echo
printf 'median %14s %14s %8s\n' "$on_median" "$off_median" \
  "$(awk -v a="$on_median" -v b="$off_median" 'BEGIN { printf "%.3f", a / b }')"
echo "ratio on/off (median of the rounds' ratios): $(median %.3f <"$work/ratios")"
decided=$(curl -fsS "http://127.0.0.1:$on_management/actuator/metrics/floodgate.requests" \
  | sed -n 's/.*"statistic":"COUNT","value":\([0-9.E+]*\).*/\1/p')
echo "requests Floodgate decided on the 'on' app: ${decided:-unknown}"
