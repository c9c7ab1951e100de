# Shell functions the HTTP benchmarks share (sourced by http.sh and gateway.sh). They use the
# calling script's variables: work (a scratch directory), pids (processes to stop on exit),
# threads and connections (wrk's).

# fails unless the executable jar a module builds is there
# Usage: require_jar <jar> <module>
require_jar() {
  if [ ! -f "$1" ] || ! grep -q 'BOOT-INF/lib/' "$1"; then
    echo "$1 is missing or not executable; build it with" >&2
    echo "  ./mvnw -q install -DskipTests && ./mvnw -q -pl $2 package spring-boot:repackage -DskipTests" >&2
    exit 1
  fi
}

# sets work to a fresh scratch directory and pids to none, and stops every process in pids on exit
# Usage: open_scratch <name>
open_scratch() {
  work="$(mktemp -d -t "floodgate-$1.XXXXXX")"
  pids=()
  trap stop_all EXIT
}

stop_all() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}

# a free loopback port: nothing answers on it
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

await() {
  local url="$1" name="$2" log="$3"
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "$name did not start; its log:" >&2
  tail -50 "$log" >&2
  exit 1
}

# runs wrk and prints requests/s; fails on any non-2xx response (a limit reached, an error)
drive() {
  local url="$1" seconds="$2" out
  out=$(wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency "$url")
  if echo "$out" | grep -q 'Non-2xx or 3xx responses'; then
    echo "wrk saw non-2xx responses from $url:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$out" | awk '/^Requests\/sec:/ { print $2 }'
}

# the median of the numbers on standard input, printed with the format given
median() {
  sort -g | awk -v f="$1" '{ v[NR] = $1 } END { printf f "\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# starts redis-server on a free loopback port, without persistence, and sets redis_port
start_redis() {
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if redis-cli -p "$redis_port" ping >/dev/null 2>&1 || (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
}

# rounds of wrk against three applications, the order rotating so that none always runs on a hotter
# (or cooler) machine: prints requests/s per round, the ratios a/b, a/c and b/c of each round, and
# the median of each ratio over the rounds. Uses rounds, duration and work.
# Usage: three_way_rounds <label a> <url a> <label b> <url b> <label c> <url c>
three_way_rounds() {
  local la="$1" ua="$2" lb="$3" ub="$4" lc="$5" uc="$6" round a b c ab ac bc
  printf '%-6s %14s %14s %14s %12s %12s %12s\n' round "$la r/s" "$lb r/s" "$lc r/s" "$la/$lb" "$la/$lc" "$lb/$lc"
  : >"$work/ab"
  : >"$work/ac"
  : >"$work/bc"
  for round in $(seq 1 "$rounds"); do
    case $((round % 3)) in
      1) a=$(drive "$ua" "$duration"); b=$(drive "$ub" "$duration"); c=$(drive "$uc" "$duration") ;;
      2) b=$(drive "$ub" "$duration"); c=$(drive "$uc" "$duration"); a=$(drive "$ua" "$duration") ;;
      0) c=$(drive "$uc" "$duration"); a=$(drive "$ua" "$duration"); b=$(drive "$ub" "$duration") ;;
    esac
    ab=$(awk -v x="$a" -v y="$b" 'BEGIN { printf "%.3f", x / y }')
    ac=$(awk -v x="$a" -v y="$c" 'BEGIN { printf "%.3f", x / y }')
    bc=$(awk -v x="$b" -v y="$c" 'BEGIN { printf "%.3f", x / y }')
    echo "$ab" >>"$work/ab"
    echo "$ac" >>"$work/ac"
    echo "$bc" >>"$work/bc"
    printf '%-6s %14s %14s %14s %12s %12s %12s\n' "$round" "$a" "$b" "$c" "$ab" "$ac" "$bc"
  done
  echo
  echo "median of the rounds' ratios: $la/$lb $(median %.3f <"$work/ab"), $la/$lc $(median %.3f <"$work/ac"), $lb/$lc $(median %.3f <"$work/bc")"
}
