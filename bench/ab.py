#!/usr/bin/env python3
"""Paired A/B of two RRMQ builds: both 3-node clusters up at once on loopback, the same load in
alternating slots (A B B A A B ...), so the machine's drift hits both alike.

    git worktree add /tmp/rrmq-a <previous-commit> && (cd /tmp/rrmq-a && mvn -q -B package -DskipTests)
    mvn -q -B package -DskipTests
    python3 bench/ab.py --a /tmp/rrmq-a [--b .] [--rounds 6] [--seconds 8] [--connections 16,64] [--ops put,get,topics] [--topics 4]

A and B are repository roots whose jars are built (each is started with its own src/node.py; the
load generator is B's rrmq-bench). Each cluster gets --warmup seconds of unmeasured mixed load first
(the JIT). Per (op, connections) and round, one closed-loop run against each cluster, in ABBA order;
a PUT run's messages are popped (unmeasured) before the next run; `topics` is GET /topic. Each run also
counts the cluster's fsyncs per request (from /status). Prints each run, then per
(op, connections) the median B/A throughput ratio with its [min..max] over the rounds, the median
req/s and p99 of each, and the idle CPU share of each cluster's nodes measured before the load.
Stdlib only; it stops only the nodes it spawned.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from failover import Cluster, current_leader, status, wait_for


class RootCluster(Cluster):
    """A Cluster started with the src/node.py of another checkout (its own jar)."""

    def __init__(self, root, ports, work):
        super().__init__(len(ports), 0, work, ports=ports)
        self.root = os.path.abspath(root)

    def start(self, i):
        env = dict(os.environ, RRMQ_DATA_DIR=os.path.join(self.work, "data"))
        env.pop("RRMQ_CLUSTER_KEY_FILE", None)
        with open(os.path.join(self.work, f"node-{i}.log"), "ab") as log:
            self.procs[i] = subprocess.Popen([sys.executable, os.path.join(self.root, "src", "node.py"),
                                              self.config, str(i)], stdout=log, stderr=subprocess.STDOUT,
                                             env=env, cwd=self.work)

    def fsyncs(self):
        """The fsyncs the nodes have done (the sum of /status metrics.fsyncs; a node that does not answer counts 0)."""
        total = 0
        for p in self.ports:
            s = status(p)
            total += s["metrics"]["fsyncs"] if s else 0
        return total

    def urls(self):
        return ",".join(f"http://127.0.0.1:{p}" for p in self.ports)

    def cpu_seconds(self):
        tick = os.sysconf("SC_CLK_TCK")
        total = []
        for p in self.procs:
            with open(f"/proc/{p.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total.append((int(fields[11]) + int(fields[12])) / tick)  # utime + stime
        return total


def bench(jar, urls, op, connections, duration, warmup, topics=4):
    out = subprocess.run(["java", "-jar", jar, "--url", urls, "--op", op, "-c", str(connections),
                          "-d", duration, "-w", warmup, "--topics", str(topics), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    lines = out.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def drain(jar, urls):
    for _ in range(20):
        result = bench(jar, urls, "get", 16, "3s", "0s")
        if not result or result["ok"] == 0:
            return


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="repository root of build A (the baseline)")
    ap.add_argument("--b", default=".", help="repository root of build B (default: this one)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--idle", type=int, default=10, help="seconds of idle CPU measured before the load")
    ap.add_argument("--connections", default="16,64", type=lambda s: [int(c) for c in s.split(",")])
    ap.add_argument("--ops", default="put,get", type=lambda s: s.split(","))
    ap.add_argument("--topics", type=int, default=4, help="topics the measured runs spread over (and GET /topic lists)")
    ap.add_argument("--base-port", type=int, default=30567)
    ap.add_argument("--start-timeout", type=int, default=60,
                    help="seconds for each cluster to elect a leader (JVMs start slowly on a loaded machine)")
    args = ap.parse_args()
    jar = os.path.join(os.path.abspath(args.b), "rrmq-bench", "target", "rrmq-bench.jar")
    for root in (args.a, args.b):
        if not os.path.isfile(os.path.join(root, "rrmq-server", "target", "rrmq-server.jar")):
            sys.exit(f"{root}: rrmq-server jar not built (mvn -q -B package -DskipTests there)")
    if not os.path.isfile(jar):
        sys.exit(f"missing {jar}")

    works = [tempfile.mkdtemp(prefix="rrmq-ab-a."), tempfile.mkdtemp(prefix="rrmq-ab-b.")]
    clusters = {"A": RootCluster(args.a, [args.base_port + i for i in range(3)], works[0]),
                "B": RootCluster(args.b, [args.base_port + 10 + i for i in range(3)], works[1])}
    try:
        for c in clusters.values():
            for i in range(3):
                c.start(i)
        for name, c in clusters.items():
            if wait_for(lambda: current_leader(c), args.start_timeout) is None:
                sys.exit(f"cluster {name}: no leader within {args.start_timeout} s")
        idle = {}
        before = {name: c.cpu_seconds() for name, c in clusters.items()}
        time.sleep(args.idle)
        for name, c in clusters.items():
            idle[name] = [(b - a) / args.idle * 100 for a, b in zip(before[name], c.cpu_seconds())]
        for name, c in clusters.items():
            print(f"warming up {name} ...", file=sys.stderr, flush=True)
            bench(jar, c.urls(), "mixed", 16, f"{args.warmup}s", "0s")
            drain(jar, c.urls())
        results = {}
        for op in args.ops:
            for connections in args.connections:
                for r in range(args.rounds):
                    order = ["A", "B"] if r % 2 == 0 else ["B", "A"]
                    for name in order:
                        c = clusters[name]
                        if op == "get":  # something to pop: fill first (unmeasured)
                            bench(jar, c.urls(), "put", connections, f"{args.seconds + 4}s", "0s")
                        cpu_before = sum(c.cpu_seconds())
                        fsyncs_before = c.fsyncs()
                        result = bench(jar, c.urls(), op, connections, f"{args.seconds}s", "2s", args.topics)
                        if result:
                            # Over the run and its warm-up, like the CPU below: a read that writes shows ~1.
                            result["fsyncs_per_req"] = (c.fsyncs() - fsyncs_before) / max(1, result["ok"])
                            # The cluster's CPU per request over the run and its warm-up: steadier than
                            # throughput on a machine whose speed drifts (the warm-up's requests are not
                            # in "ok", so this overstates both builds alike).
                            result["cpu_us"] = (sum(c.cpu_seconds()) - cpu_before) * 1e6 / max(1, result["ok"])
                        results.setdefault((op, connections, name), []).append(result)
                        print(f"{op} c={connections} round {r + 1} {name}: "
                              + (f"{result['throughput']:,.0f} req/s p99 {result['p99']:.1f} ms"
                                 f" cpu {result['cpu_us']:.0f} us/req fsyncs/req {result['fsyncs_per_req']:.3f}"
                                 if result else "failed"),
                              file=sys.stderr, flush=True)
                        if op != "topics":
                            drain(jar, c.urls())
        print("| op | conns | B/A req/s, median [range] | A req/s | B req/s | A p99 ms | B p99 ms"
              " | B/A CPU per request, median [range] | A fsyncs/req | B fsyncs/req |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for op in args.ops:
            for connections in args.connections:
                a = results[(op, connections, "A")]
                b = results[(op, connections, "B")]
                pairs = [(x, y) for x, y in zip(a, b) if x and y and x["throughput"] > 0]
                if not pairs:
                    print(f"| {op} | {connections} | failed | | | | | |")
                    continue
                ratios = [y["throughput"] / x["throughput"] for x, y in pairs]
                cpu = [y["cpu_us"] / x["cpu_us"] for x, y in pairs]
                print(f"| {op} | {connections} | {statistics.median(ratios):.3f} [{min(ratios):.3f}..{max(ratios):.3f}]"
                      f" | {statistics.median(x['throughput'] for x, _ in pairs):,.0f}"
                      f" | {statistics.median(y['throughput'] for _, y in pairs):,.0f}"
                      f" | {statistics.median(x['p99'] for x, _ in pairs):.1f}"
                      f" | {statistics.median(y['p99'] for _, y in pairs):.1f}"
                      f" | {statistics.median(cpu):.3f} [{min(cpu):.3f}..{max(cpu):.3f}]"
                      f" | {statistics.median(x['fsyncs_per_req'] for x, _ in pairs):.3f}"
                      f" | {statistics.median(y['fsyncs_per_req'] for _, y in pairs):.3f} |")
        for name in ("A", "B"):
            print(f"idle CPU {name} (% of a core per node over {args.idle} s): "
                  + ", ".join(f"{v:.1f}" for v in idle[name]))
    finally:
        for c in clusters.values():
            c.stop()
        for w in works:
            shutil.rmtree(w, ignore_errors=True)


if __name__ == "__main__":
    main()
