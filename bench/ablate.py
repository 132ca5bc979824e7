#!/usr/bin/env python3
"""What pipelining and batching buy: the same PUT load on a fresh 3-node RRMQ cluster per flow
setting (see README, "Flow control"), one variant after the other, never two clusters at once.

    python3 bench/ablate.py [--connections 16,64] [--seconds 10] [--warmup 30]

Variants: the defaults; -Drrmq.raft.inflight=1 (one AppendEntries in flight per follower: no
pipelining); -Drrmq.raft.batch=1 (one entry per AppendEntries); both. Each cluster first gets
--warmup seconds of unmeasured mixed load (the JIT), then one closed-loop PUT run per connection
count, its messages popped (unmeasured) before the next.
Prints throughput and p99 per run, and per variant the fsyncs per persisted entry of the leader and
of the followers, read from /status (below 1: one fsync covered several entries, group commit).
Run from the repo root after the build. Stdlib only; it stops only the nodes it spawned.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from failover import Cluster, current_leader, status, wait_for

BENCH_JAR = os.path.join("rrmq-bench", "target", "rrmq-bench.jar")
VARIANTS = [
    ("defaults", ""),
    ("inflight=1", "-Drrmq.raft.inflight=1"),
    ("batch=1", "-Drrmq.raft.batch=1"),
    ("inflight=1 batch=1", "-Drrmq.raft.inflight=1 -Drrmq.raft.batch=1"),
]


def bench(urls, op, connections, duration, warmup):
    out = subprocess.run(["java", "-jar", BENCH_JAR, "--url", urls, "--op", op, "-c", str(connections),
                          "-d", duration, "-w", warmup, "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    lines = out.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def drain(urls):
    """Pops what a PUT run left (unmeasured): the next run must not meet a full queue (queue.bytes)."""
    for _ in range(20):
        result = bench(urls, "get", 16, "3s", "0s")
        if not result or result["ok"] == 0:
            return


def sync_ratio(counters):
    fsyncs = sum(c["fsyncs"] for c in counters)
    entries = sum(c["entriesPersisted"] for c in counters)
    return fsyncs / entries if entries else float("nan")


def run_variant(name, jvm_opts, args, port):
    work = tempfile.mkdtemp(prefix="rrmq-ablate.")
    base_opts = os.environ.get("RRMQ_JVM_OPTS", "")
    os.environ["RRMQ_JVM_OPTS"] = (base_opts + " " + jvm_opts).strip()
    cluster = Cluster(3, port, work)
    try:
        for i in range(3):
            cluster.start(i)
        if wait_for(lambda: current_leader(cluster), 15) is None:
            sys.exit(f"{name}: no leader within 15 s")
        urls = ",".join(f"http://127.0.0.1:{p}" for p in cluster.ports)
        bench(urls, "mixed", 16, f"{args.warmup}s", "0s")
        rows = []
        before = [status(p) for p in cluster.ports]
        for connections in args.connections:
            result = bench(urls, "put", connections, f"{args.seconds}s", "2s")
            rows.append((connections, result))
            drain(urls)
        after = [status(p) for p in cluster.ports]
        leader, _ = cluster.leader()
        delta = [{k: a["metrics"][k] - b["metrics"][k] for k in ("fsyncs", "entriesPersisted")}
                 for a, b in zip(after, before) if a and b]
        if leader is None or len(delta) != 3:
            return name, rows, float("nan"), float("nan")
        followers = [d for i, d in enumerate(delta) if i != leader]
        return name, rows, sync_ratio([delta[leader]]), sync_ratio(followers)
    finally:
        os.environ["RRMQ_JVM_OPTS"] = base_opts
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", default="16,64",
                    type=lambda s: [int(c) for c in s.split(",")])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--base-port", type=int, default=29767)
    args = ap.parse_args()
    if not os.path.isfile(BENCH_JAR):
        sys.exit(f"missing {BENCH_JAR}: run 'mvn -q -B package -DskipTests' first")
    results = []
    for name, opts in VARIANTS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(run_variant(name, opts, args, args.base_port))
    header = "| variant | " + " | ".join(f"{c} conns req/s (p99 ms)" for c in args.connections)
    print(header + " | leader fsyncs/entry | follower fsyncs/entry |")
    print("|---" * (len(args.connections) + 3) + "|")
    for name, rows, leader_ratio, follower_ratio in results:
        cells = [f"{r['throughput']:,.0f} ({r['p99']:.1f})" if r else "failed" for _, r in rows]
        print(f"| {name} | " + " | ".join(cells) + f" | {leader_ratio:.3f} | {follower_ratio:.3f} |")


if __name__ == "__main__":
    main()
