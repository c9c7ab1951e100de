#!/usr/bin/env bash
# Spring Cloud Gateway: Floodgate against the gateway's own RequestRateLimiter (RedisRateLimiter) on
# the same route, both on one redis-server, beside the same gateway with no limiter.
#
# Starts gateway-sample/target/gateway-sample-0.1.0-SNAPSHOT.jar three times on loopback, each with
# the one route GET /bench/**, proxied over loopback HTTP to the sample's stand-in of the redirect
# service (a Reactor Netty server of its own in the same JVM, which no limiter sees):
#   floodgate  profile bench-floodgate: - Floodgate=1000000/second, the Redis store
#   rrl        profile bench-redis-rate-limiter: RequestRateLimiter, RedisRateLimiter at 1000000/s,
#              keyed by the client's address; Floodgate switched off
#   off        profile bench-off: no limiter
# Every request is decided (and admitted) by the limiter under test. Then drives each with wrk in
# rounds that rotate the order, after a warm-up round for each, and prints requests/s per round and
# the ratios floodgate/rrl, floodgate/off and rrl/off. All three stay up for the whole run, so they
# warm up alike and only the one under load uses the CPU.
#
# Build the executable jar first:
#                        ./mvnw -q install -DskipTests
#                        ./mvnw -q -pl gateway-sample package spring-boot:repackage -DskipTests
# Needs wrk, curl and redis-server:  apt-get install -y wrk curl redis-server
#
# Usage: benchmarks/gateway.sh [--rounds 6] [--duration 15] [--warmup 20] [--connections 16] [--threads 1]
# Environment: JAVA (default java), JAVA_OPTS (default -Xms512m -Xmx512m), GATEWAY_JAR.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=6
duration=15
warmup=20
connections=16
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "Unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

java_cmd="${JAVA:-java}"
java_opts="${JAVA_OPTS:--Xms512m -Xmx512m}"
jar="${GATEWAY_JAR:-gateway-sample/target/gateway-sample-0.1.0-SNAPSHOT.jar}"
for tool in wrk curl redis-server redis-cli "$java_cmd"; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y wrk curl redis-server)" >&2; exit 1; }
done
# shellcheck source=benchmarks/lib.sh
. benchmarks/lib.sh
require_jar "$jar" gateway-sample
open_scratch gateway

start_redis

start_gateway() {
  local name="$1" port="$2" profile="$3" upstream_port="$4"
  # shellcheck disable=SC2086
  "$java_cmd" $java_opts -jar "$jar" "--server.port=$port" --server.address=127.0.0.1 \
    --spring.main.banner-mode=off "--spring.profiles.active=bench,$profile" \
    "--sample.redirect-service.port=$upstream_port" \
    --spring.data.redis.host=127.0.0.1 "--spring.data.redis.port=$redis_port" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

ports=()
while [ "${#ports[@]}" -lt 6 ]; do
  candidate=$(free_port)
  case " ${ports[*]} $redis_port " in *" $candidate "*) ;; *) ports+=("$candidate") ;; esac
done
start_gateway floodgate "${ports[0]}" bench-floodgate "${ports[3]}"
start_gateway rrl "${ports[1]}" bench-redis-rate-limiter "${ports[4]}"
start_gateway off "${ports[2]}" bench-off "${ports[5]}"
await "http://127.0.0.1:${ports[0]}/actuator/health" "The gateway with Floodgate" "$work/floodgate.log"
await "http://127.0.0.1:${ports[1]}/actuator/health" "The gateway with RedisRateLimiter" "$work/rrl.log"
await "http://127.0.0.1:${ports[2]}/actuator/health" "The gateway without a limiter" "$work/off.log"

fg_url="http://127.0.0.1:${ports[0]}/bench/hello"
rrl_url="http://127.0.0.1:${ports[1]}/bench/hello"
off_url="http://127.0.0.1:${ports[2]}/bench/hello"
for name in fg rrl off; do
  url_var="${name}_url"
  curl -fsS -D "$work/$name.headers" -o /dev/null "${!url_var}"
done
grep -qi '^RateLimit:' "$work/fg.headers" || { echo "Floodgate is not deciding $fg_url" >&2; exit 1; }
grep -qi '^X-RateLimit-Remaining:' "$work/rrl.headers" || { echo "RedisRateLimiter is not deciding $rrl_url" >&2; exit 1; }
if grep -qi '^RateLimit:\|^X-RateLimit-Remaining:' "$work/off.headers"; then
  echo "A limiter decides $off_url" >&2
  exit 1
fi
[ "$(redis-cli -p "$redis_port" dbsize)" -ge 2 ] || { echo "The limiters wrote nothing to Redis" >&2; exit 1; }

echo "# Spring Cloud Gateway: Floodgate against RedisRateLimiter on the same route (redis-server on 127.0.0.1:$redis_port)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/^Model name/ { gsub(/^ +/, "", $2); print $2; exit }')"
echo "java: $("$java_cmd" -version 2>&1 | head -1); JAVA_OPTS: $java_opts"
echo "wrk: -t $threads -c $connections -d ${duration}s on loopback; warm-up ${warmup}s each; $rounds rounds"
echo "floodgate: $fg_url  (- Floodgate=1000000/second, Redis store)"
echo "rrl:       $rrl_url  (RequestRateLimiter, RedisRateLimiter replenishRate=burstCapacity=1000000)"
echo "off:       $off_url  (no limiter)"
echo
drive "$fg_url" "$warmup" >/dev/null
drive "$rrl_url" "$warmup" >/dev/null
drive "$off_url" "$warmup" >/dev/null

three_way_rounds floodgate "$fg_url" rrl "$rrl_url" off "$off_url"
