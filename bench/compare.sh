#!/usr/bin/env bash
# Paired load on a 3-node RRMQ cluster and a 3-member etcd cluster, on loopback, with the same load
# generator (rrmq-bench) and the same durability (every acknowledged write is fsynced on a majority:
# RRMQ always does; etcd fsyncs its WAL before acknowledging).
#
# Both clusters start together and stay up for the whole comparison; only one of them is loaded at a
# time. Per connection count and operation, ROUNDS rounds of one RRMQ run and one etcd run each, in
# ABBA order (RRMQ, etcd, etcd, RRMQ, RRMQ, etcd, ...), so that the machine's drift (its speed moves
# by up to 2x within minutes) falls on both alike; each round gives one ratio RRMQ/etcd. RRMQ's PUT
# runs and pop runs (op "get") are both paired with an etcd PUT run (etcd has no pop).
#
#   mvn -q -B package -DskipTests && bench/compare.sh      # CONNS="16 64" ROUNDS=5 DURATION=8s by default
#
# Prints, per (operation, connections), the median of the per-round ratios with their range and each
# system's median req/s and p99; then the disk's fsync floor, RSS per node and RRMQ's failover figures
# (bench/failover.py; KILLS=0 skips it). Installs Debian's etcd-server when etcd is missing (needs
# root). OPS="put get" picks RRMQ's operations. SYSTEM_WARMUP (20s) is the unmeasured load each
# cluster gets first, WARMUP (2s) the one before every run. KEEP_WORK=1 keeps the node logs, data
# directories and every run's JSON line (results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-2s}
# Unmeasured load on each fresh cluster before its first measured run: a JVM's throughput still
# climbs for ~20-30 s after start while the JIT compiles the hot paths (measured: 5k -> 13k req/s
# within one 15 s run at 64 connections); without it the first runs measure the compiler. etcd gets
# the same warm-up so that both are measured the same way.
SYSTEM_WARMUP=${SYSTEM_WARMUP:-20s}
CONNS=${CONNS:-"16 64"}
OPS=${OPS:-"put get"}
ROUNDS=${ROUNDS:-5}
SIZE=${SIZE:-100}
KILLS=${KILLS:-20}
SERVER_JAR=rrmq-server/target/rrmq-server.jar
BENCH_JAR=rrmq-bench/target/rrmq-bench.jar

for jar in "$SERVER_JAR" "$BENCH_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run 'mvn -q -B package -DskipTests' first" >&2; exit 2; }
done
if ! command -v etcd >/dev/null 2>&1; then
  echo "installing etcd-server (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends etcd-server >/dev/null
fi

WORK=$(mktemp -d -t rrmq-compare.XXXXXX)
RESULTS=$WORK/results.jsonl
PIDS=()
stop_all() {  # SIGTERM every node, SIGKILL what still runs after 10 s, wait for all
  local pid left
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 100); do
    left=0
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  trap - EXIT INT TERM
  stop_all
  if [ -n "${KEEP_WORK:-}" ]; then echo "node logs, data and results kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
# A signal waits for the running load generator (bounded by its duration), then cleans up.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rss_mib() {  # resident memory of the given PIDs, MiB, one figure per PID
  for pid in "$@"; do awk '/VmRSS/ {printf "%.0f ", $2 / 1024}' "/proc/$pid/status"; done
}
bench() {  # label url op conns [extra args...]: one measured run, its JSON line appended to RESULTS
  local label=$1 url=$2 op=$3 conns=$4; shift 4
  # A run with no success exits 1 but still prints its JSON line (ok 0, its errors): keep it.
  { java -jar "$BENCH_JAR" --url "$url" --op "$op" -c "$conns" -d "$DURATION" -w "$WARMUP" -s "$SIZE" \
    --label "$label" --json "$@" 2>>"$WORK/bench.err" || true; } | tail -1 >> "$RESULTS"
  tail -1 "$RESULTS" >&2
}
warm() {  # url op: unmeasured load on a fresh cluster (see SYSTEM_WARMUP)
  java -jar "$BENCH_JAR" --url "$1" --op "$2" -c 16 -d "$SYSTEM_WARMUP" -w 0s -s "$SIZE" --json >/dev/null 2>&1 || true
}
drain() {  # pop what the runs left (unmeasured), so backlogs do not pile up past the node's queue bound
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    # rrmq-bench exits 1 when nothing succeeded, which here means "drained".
    left=$( (java -jar "$BENCH_JAR" --url "$RRMQ_URLS" --op get -c 16 -d 3s -w 0s --json 2>/dev/null || true) \
      | python3 -c 'import json, sys; print(json.load(sys.stdin)["ok"])' || echo 0)
    [ "${left:-0}" -gt 0 ] || return 0
  done
}
ready() {  # url text: wait (at most 30 s) until GET url answers with a body containing text
  python3 - "$1" "$2" <<'PY'
import sys, time, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
end = time.monotonic() + 30
while time.monotonic() < end:
    try:
        if sys.argv[2] in opener.open(sys.argv[1], timeout=1).read().decode():
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(f"{sys.argv[1]}: no '{sys.argv[2]}' within 30 s")
PY
}

# ---- the disk's floor: one small append + fdatasync, what every acknowledged write waits for at least
# once (one connection: about this plus two loopback round trips)
python3 - "$WORK" > "$WORK/fsync.txt" <<'PY'
import os, sys, time
fd = os.open(os.path.join(sys.argv[1], "fsync-probe"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
ts = []
for _ in range(2000):
    t = time.perf_counter(); os.write(fd, b"x" * 150); os.fdatasync(fd); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print("disk: 150-byte append + fdatasync ms p50 %.2f p99 %.2f max %.2f" % (ts[1000], ts[1980], ts[-1]))
PY

# ---- both clusters, started together and kept up
BASE=${BASE_PORT:-28567}
cat > "$WORK/rrmq.json" <<JSON
{"addresses": [{"ip": "127.0.0.1", "port": $BASE}, {"ip": "127.0.0.1", "port": $((BASE + 1))}, {"ip": "127.0.0.1", "port": $((BASE + 2))}]}
JSON
for i in 0 1 2; do
  RRMQ_DATA_DIR=$WORK/rrmq-data python3 src/node.py "$WORK/rrmq.json" "$i" > "$WORK/rrmq-$i.log" 2>&1 &
  PIDS+=($!)
done
RRMQ_URLS="http://127.0.0.1:$BASE,http://127.0.0.1:$((BASE + 1)),http://127.0.0.1:$((BASE + 2))"

# etcd, heartbeat 50 ms / election timeout 300 ms
EBASE=${ETCD_BASE_PORT:-22379}
ETCD_URL="http://127.0.0.1:$EBASE"
CLUSTER=""
for i in 0 1 2; do CLUSTER="$CLUSTER${CLUSTER:+,}e$i=http://127.0.0.1:$((EBASE + 10 + i))"; done
for i in 0 1 2; do
  etcd --name "e$i" --data-dir "$WORK/etcd-$i" \
    --listen-client-urls "http://127.0.0.1:$((EBASE + i))" --advertise-client-urls "http://127.0.0.1:$((EBASE + i))" \
    --listen-peer-urls "http://127.0.0.1:$((EBASE + 10 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((EBASE + 10 + i))" \
    --initial-cluster "$CLUSTER" --initial-cluster-state new --heartbeat-interval 50 --election-timeout 300 \
    --log-level error > "$WORK/etcd-$i.log" 2>&1 &
  PIDS+=($!)
done
ready "http://127.0.0.1:$BASE/status" '"leader":"http'
ready "$ETCD_URL/health" '"health":"true"'
sleep 2
echo "rrmq idle RSS MiB per node: $(rss_mib "${PIDS[@]:0:3}")" > "$WORK/rss.txt"
echo "etcd idle RSS MiB per member: $(rss_mib "${PIDS[@]:3:3}")" >> "$WORK/rss.txt"
echo "warming up: ${SYSTEM_WARMUP} of unmeasured load on each system" >&2
warm "$RRMQ_URLS" put
drain
warm "$ETCD_URL" etcd-put

# ---- paired rounds
LAST_PUT_OK=50000
rrmq_run() {  # op conns round
  if [ "$1" = get ]; then
    # Pops need messages: put twice as many as the last PUT run acknowledged (unmeasured), so the
    # queues cannot run dry even if pops are much faster than puts (the node's queue bound, 64 MiB
    # by default, refuses what does not fit: those refusals are not measured).
    bench "rrmq/get/$3" "$RRMQ_URLS" get "$2" --prefill $((2 * LAST_PUT_OK + 1000))
  else
    bench "rrmq/put/$3" "$RRMQ_URLS" put "$2"
    LAST_PUT_OK=$(tail -1 "$RESULTS" | python3 -c 'import json, sys; print(json.load(sys.stdin)["ok"])')
  fi
  drain
}
etcd_run() {  # op conns round: the etcd PUT run paired with RRMQ's op in that round
  bench "etcd/$1/$3" "$ETCD_URL" etcd-put "$2"
}
for c in $CONNS; do
  for op in $OPS; do
    echo "$op, $c connections: $ROUNDS rounds" >&2
    for r in $(seq 0 $((ROUNDS - 1))); do
      if [ $((r % 2)) = 0 ]; then rrmq_run "$op" "$c" "$r"; etcd_run "$op" "$c" "$r"
      else etcd_run "$op" "$c" "$r"; rrmq_run "$op" "$c" "$r"; fi
    done
  done
done
echo "rrmq loaded RSS MiB per node: $(rss_mib "${PIDS[@]:0:3}")" >> "$WORK/rss.txt"
echo "etcd loaded RSS MiB per member: $(rss_mib "${PIDS[@]:3:3}"); data directory $(du -sm "$WORK/etcd-0" | cut -f1) MiB per member" >> "$WORK/rss.txt"
stop_all

# ---- the table
echo
echo "## RRMQ vs etcd, paired, $(date -u +%Y-%m-%d), $(nproc) cores, $ROUNDS ABBA rounds of ${DURATION} per system, ${SIZE}-byte payloads"
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
runs = {}  # (op, conns) -> round -> system -> result
for line in open(sys.argv[1]):
    r = json.loads(line)
    system, op, rnd = r["run"].split("/")
    runs.setdefault((op, r["connections"]), {}).setdefault(int(rnd), {})[system] = r
med = statistics.median
print("| RRMQ op vs etcd put | conns | ratio RRMQ/etcd, median [min..max] | RRMQ req/s (p99 ms), medians | etcd req/s (p99 ms), medians | rounds |")
print("|---|---|---|---|---|---|")
detail = []
for (op, conns) in sorted(runs, key=lambda k: (k[1], k[0] != "put")):
    rounds = [v for _, v in sorted(runs[(op, conns)].items()) if "rrmq" in v and "etcd" in v]
    if not rounds:
        continue
    ratios = [v["rrmq"]["throughput"] / v["etcd"]["throughput"] if v["etcd"]["throughput"] else float("inf") for v in rounds]
    def cell(system):
        rs = [v[system] for v in rounds]
        errors = sum(x["errors"] for x in rs)
        return (f"{med(x['throughput'] for x in rs):,.0f} ({med(x['p99'] for x in rs):.1f})"
                + (f", {errors} errors" if errors else ""))
    print(f"| {op} | {conns} | {med(ratios):.2f}x [{min(ratios):.2f}..{max(ratios):.2f}] | {cell('rrmq')} | {cell('etcd')} | {len(rounds)} |")
    detail.append(f"{op} {conns}: " + ", ".join(
        f"{v['rrmq']['throughput']:,.0f}/{v['etcd']['throughput']:,.0f}" for v in rounds))
print()
print("per round, in run order, RRMQ/etcd req/s:")
for line in detail:
    print("  " + line)
PY
cat "$WORK/fsync.txt" "$WORK/rss.txt"
if [ "$KILLS" -gt 0 ]; then
  echo
  python3 bench/failover.py --kills "$KILLS"
fi
