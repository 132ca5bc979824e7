#!/usr/bin/env bash
# Side-by-side load on a fresh 3-node RRMQ cluster and a fresh 3-member etcd cluster, on loopback,
# with the same load generator (rrmq-bench) and the same durability (every acknowledged write is
# fsynced on a majority: RRMQ always does; etcd fsyncs its WAL before acknowledging).
# The two systems run one after the other, never at the same time, so neither steals the other's CPU.
#
#   mvn -q -B package -DskipTests && bench/compare.sh            # DURATION=10s CONNS="1 16 64" by default
#
# Prints a markdown table of RRMQ and etcd figures and their ratios, then the RRMQ failover figures
# (bench/failover.py). Installs Debian's etcd-server when etcd is missing (needs root).
# KEEP_WORK=1 keeps the node logs and data directories for a look afterwards. SYSTEM_WARMUP (30s)
# is the unmeasured load each fresh cluster gets first, WARMUP (2s) the one before every run.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
# Unmeasured load on each fresh cluster before its first measured run: a JVM's throughput still
# climbs for ~20-30 s after start while the JIT compiles the hot paths (measured: 5k -> 13k req/s
# within one 15 s run at 64 connections); without it the first runs measure the compiler. etcd gets
# the same warm-up so that both are measured the same way.
SYSTEM_WARMUP=${SYSTEM_WARMUP:-30s}
CONNS=${CONNS:-"1 16 64"}
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
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP_WORK:-}" ]; then echo "node logs and data kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

rss_mib() {  # total resident memory of the given PIDs, MiB, one figure per PID
  for pid in "$@"; do awk '/VmRSS/ {printf "%.0f ", $2 / 1024}' "/proc/$pid/status"; done
}
bench() {  # label url op conns [extra args...]
  local label=$1 url=$2 op=$3 conns=$4; shift 4
  java -jar "$BENCH_JAR" --url "$url" --op "$op" -c "$conns" -d "$DURATION" -w "$WARMUP" -s "$SIZE" \
    --label "$label" --json "$@" | tee -a "$RESULTS"
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
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  PIDS=()
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

# ---- RRMQ
BASE=${BASE_PORT:-28567}
cat > "$WORK/rrmq.json" <<JSON
{"addresses": [{"ip": "127.0.0.1", "port": $BASE}, {"ip": "127.0.0.1", "port": $((BASE + 1))}, {"ip": "127.0.0.1", "port": $((BASE + 2))}]}
JSON
for i in 0 1 2; do
  RRMQ_DATA_DIR=$WORK/rrmq-data python3 src/node.py "$WORK/rrmq.json" "$i" > "$WORK/rrmq-$i.log" 2>&1 &
  PIDS+=($!)
done
RRMQ_URLS="http://127.0.0.1:$BASE,http://127.0.0.1:$((BASE + 1)),http://127.0.0.1:$((BASE + 2))"
sleep 3
echo "rrmq idle RSS MiB per node: $(rss_mib "${PIDS[@]}")" > "$WORK/rss.txt"
warm "$RRMQ_URLS" put
drain
for c in $CONNS; do
  bench "rrmq-put" "$RRMQ_URLS" put "$c"
  # Pops need messages: the put run left some; put twice as many again (unmeasured) so the queues
  # cannot run dry even if pops are much faster than puts (the node's queue bound, 64 MiB by
  # default, refuses what does not fit: those refusals are not measured).
  again=$(tail -1 "$RESULTS" | python3 -c 'import json, sys; print(2 * json.load(sys.stdin)["ok"] + 1000)')
  bench "rrmq-get" "$RRMQ_URLS" get "$c" --prefill "$again"
  drain
done
echo "rrmq loaded RSS MiB per node: $(rss_mib "${PIDS[@]}")" >> "$WORK/rss.txt"
stop_all

# ---- etcd, heartbeat 50 ms / election timeout 300 ms
EBASE=${ETCD_BASE_PORT:-22379}
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
sleep 3
echo "etcd idle RSS MiB per member: $(rss_mib "${PIDS[@]}")" >> "$WORK/rss.txt"
warm "http://127.0.0.1:$EBASE" etcd-put
for c in $CONNS; do
  bench "etcd-put" "http://127.0.0.1:$EBASE" etcd-put "$c"
done
echo "etcd loaded RSS MiB per member: $(rss_mib "${PIDS[@]}")" >> "$WORK/rss.txt"
stop_all

# ---- the table
echo
echo "## RRMQ vs etcd, $(date -u +%Y-%m-%d), $(nproc) cores, ${DURATION} per run, ${SIZE}-byte payloads"
python3 - "$RESULTS" <<'PY'
import json, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r["run"], r["connections"])] = r
conns = sorted({c for (_, c) in runs})
print("| conns | rrmq put req/s (p99 ms) | rrmq get req/s (p99 ms) | etcd put req/s (p99 ms) | put ratio | get ratio |")
print("|---|---|---|---|---|---|")
for c in conns:
    p, g, e = runs.get(("rrmq-put", c)), runs.get(("rrmq-get", c)), runs.get(("etcd-put", c))
    cell = lambda r: f"{r['throughput']:.0f} ({r['p99']:.1f})" + (f", {r['errors']} errors" if r["errors"] else "") if r else "-"
    ratio = lambda a: f"{a['throughput'] / e['throughput']:.2f}x" if a and e and e["throughput"] else "-"
    print(f"| {c} | {cell(p)} | {cell(g)} | {cell(e)} | {ratio(p)} | {ratio(g)} |")
PY
cat "$WORK/fsync.txt" "$WORK/rss.txt"
echo
python3 bench/failover.py --kills "$KILLS"
