#!/usr/bin/env python3
"""Memory over a long run: a fresh 3-node RRMQ cluster under a steady mixed load (put and pop
alternating on every connection, open loop at a fixed rate), the RSS of every node sampled.

    python3 bench/soak.py [--minutes 10] [--rate 3000] [--connections 16] [--every 30]

Prints one line per sample (elapsed seconds, RSS MiB of each node), then the load generator's
result and, per node, the RSS after the warm-up (the first --settle seconds) against the highest
RSS seen after it: a node whose memory keeps growing under a load that keeps its queues short
leaks. Run from the repo root after the build. Stdlib only; it stops only the nodes it spawned.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from failover import Cluster, current_leader, status, wait_for

BENCH_JAR = os.path.join("rrmq-bench", "target", "rrmq-bench.jar")


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=3000, help="requests/s in all (half puts, half pops)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--every", type=float, default=30, help="seconds between RSS samples")
    ap.add_argument("--settle", type=float, default=120, help="seconds of warm-up before the baseline")
    ap.add_argument("--base-port", type=int, default=29667)
    ap.add_argument("--keep", action="store_true", help="keep the node logs and data directories")
    args = ap.parse_args()
    if args.settle >= args.minutes * 60:
        sys.exit("--settle must be shorter than the run: nothing would be measured after it")
    if not os.path.isfile(BENCH_JAR):
        sys.exit(f"missing {BENCH_JAR}: run 'mvn -q -B package -DskipTests' first")

    work = tempfile.mkdtemp(prefix="rrmq-soak.")
    cluster = Cluster(3, args.base_port, work)
    load = None
    try:
        for i in range(3):
            cluster.start(i)
        if wait_for(lambda: current_leader(cluster), 15) is None:
            sys.exit("no leader within 15 s")
        urls = ",".join(f"http://127.0.0.1:{p}" for p in cluster.ports)
        seconds = int(args.minutes * 60)
        load = subprocess.Popen(["java", "-jar", BENCH_JAR, "--url", urls, "--op", "mixed",
                                 "-c", str(args.connections), "--rate", str(args.rate),
                                 # Latency is measured after the settle time, like the RSS
                                 # baseline: a fresh cluster's first seconds measure the JIT.
                                 "-w", f"{int(args.settle)}s", "-d", f"{seconds - int(args.settle)}s",
                                 "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        pids = [p.pid for p in cluster.procs]
        samples = []
        start = time.monotonic()
        print("seconds  " + "  ".join(f"node{i} MiB" for i in range(3)) + "  term", flush=True)
        while load.poll() is None and time.monotonic() - start < seconds + 60:
            elapsed = time.monotonic() - start
            rss = [rss_mib(pid) for pid in pids]
            samples.append((elapsed, rss))
            # The term shows elections: a load whose latency jumps while the term moves lost its leader.
            terms = [s["term"] for s in map(status, cluster.ports) if s]
            print(f"{elapsed:7.0f}  " + "  ".join(f"{r:9.0f}" for r in rss)
                  + f"  {max(terms) if terms else '?':>4}", flush=True)
            time.sleep(min(args.every, max(0.1, seconds + 1 - elapsed)))
        out, _ = load.communicate(timeout=120)
        result = json.loads(out.strip().splitlines()[-1])
        print(f"\nload: {result['throughput']:.0f} req/s, p50 {result['p50']:.2f} ms, "
              f"p99 {result['p99']:.2f} ms, max {result['max']:.1f} ms, ok {result['ok']}, "
              f"errors {result['errors']} {result.get('failures', {})}")
        settled = [s for s in samples if s[0] >= args.settle]
        if not settled:
            sys.exit("the run ended before the warm-up did: nothing to compare")
        for i in range(3):
            base = settled[0][1][i]
            peak = max(s[1][i] for s in settled)
            last = settled[-1][1][i]
            print(f"node{i}: RSS {base:.0f} MiB at {settled[0][0]:.0f} s, peak after it {peak:.0f}, "
                  f"last {last:.0f} (growth {peak - base:+.0f} MiB)")
    finally:
        if load is not None and load.poll() is None:
            load.kill()
        cluster.stop()
        if args.keep:
            print(f"node logs and data kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
