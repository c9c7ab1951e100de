#!/usr/bin/env bash
# Runs every Floodgate benchmark once, as benchmarks/README.md describes, writing the results to
# benchmarks/results/. Takes about 20 minutes on 2 CPUs. Builds first unless --no-build.
#
# Usage: benchmarks/run-all.sh [--no-build] [--no-http] [--no-redis]
# Environment: JMH_OPTS (default "-f 1 -wi 3 -w 2s -i 5 -r 2s"), MAX_LOAD (default 2.5: waits up to
# 15 minutes, polling every 30 s, for the 1-minute load average to fall below it).
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
http=true
redis=true
for arg in "$@"; do
  case "$arg" in
    --no-build) build=false ;;
    --no-http) http=false ;;
    --no-redis) redis=false ;;
    *) echo "Unknown option $arg" >&2; exit 2 ;;
  esac
done

jmh_opts=${JMH_OPTS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s"}
max_load=${MAX_LOAD:-2.5}
results=benchmarks/results
jar=benchmarks/target/benchmarks.jar
mkdir -p "$results"

quiet() {
  for _ in $(seq 1 30); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v m="$max_load" 'BEGIN { exit !(l < m) }'; then
      return 0
    fi
    echo "load average $load >= $max_load: waiting 30 s" >&2
    sleep 30
  done
  echo "the machine stayed busy; running anyway (load $(cut -d' ' -f1 /proc/loadavg))" >&2
}

if $build; then
  ./mvnw -q install -DskipTests
  ./mvnw -q -pl benchmarks package -DskipTests
  ./mvnw -q -pl sample-app package spring-boot:repackage -DskipTests
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  lscpu | head -20
  free -h | head -2
  java -version 2>&1
  echo "JMH options: $jmh_opts"
} >"$results/machine.txt"

# shellcheck disable=SC2086
run_jmh() {
  local name="$1"
  shift
  quiet
  echo "== $name" >&2
  java -jar "$jar" "$@" $jmh_opts -rf json -rff "$results/$name.json" | tee "$results/$name.txt"
}

run_jmh in-memory-1-thread InMemoryDecisionBenchmark -t 1
run_jmh in-memory-2-threads InMemoryDecisionBenchmark -t 2
run_jmh in-memory-gc InMemoryDecisionBenchmark -t 1 -prof gc
if $redis; then
  run_jmh redis-1-thread RedisDecisionBenchmark -t 1
  run_jmh redis-gc RedisDecisionBenchmark -t 1 -prof gc
fi
run_jmh in-memory-stack 'InMemoryDecisionBenchmark.floodgate' -t 1 -prof 'stack:lines=4;top=20'

quiet
echo "== memory per client" >&2
java -Xmx4g -cp "$jar" dev.floodgate.benchmarks.MemoryPerClient | tee "$results/memory-per-client.txt"

if $http; then
  quiet
  echo "== http, memory store" >&2
  benchmarks/http.sh --store memory | tee "$results/http-memory.txt"
  if $redis; then
    quiet
    echo "== http, redis store" >&2
    benchmarks/http.sh --store redis | tee "$results/http-redis.txt"
  fi
fi
