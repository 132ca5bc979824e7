#!/usr/bin/env python3
"""Consumer throughput of a fresh 3-node RRMQ cluster on loopback, driven by rrmq-bench (Java, one
keep-alive connection per client, closed loop): single puts, batch puts (one log entry per batch),
plain pops, receive+ack pairs; then what idle long-poll consumers cost the nodes in CPU.

    python3 bench/consumers.py [--connections 16] [--seconds 8] [--batch 100] [--rounds 2]
                               [--idle-waiters 100] [--base-port 34567]

Phases alternate in --rounds rounds (put, batch, pop, receive-ack, ...), so that a drift of the
machine's speed hits every phase alike; the medians are printed. Pops and receives are prefilled.
The idle phase measures the nodes' CPU seconds over 10 s with no client, then with --idle-waiters
long polls held on an empty topic (each re-polls after its wait of 20 s ends): an idle consumer
should cost nothing, as no one polls. It stops only the nodes it spawned.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

from ab import RootCluster
from failover import current_leader, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "rrmq-bench", "target", "rrmq-bench.jar")


def bench(urls, op, connections, seconds, batch, prefill=0):
    cmd = ["java", "-jar", JAR, "--url", urls, "--op", op, "-c", str(connections), "-d", f"{seconds}s",
           "-w", "1s", "--topics", "4", "--batch", str(batch), "--json"]
    if prefill:
        cmd += ["--prefill", str(prefill)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    lines = out.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def idle_cpu(cluster, seconds=10):
    before = sum(cluster.cpu_seconds())
    time.sleep(seconds)
    return (sum(cluster.cpu_seconds()) - before) / seconds


def hold_long_polls(port, count):
    """Opens count sockets, each holding GET /message/idle?wait=20; returns them (close to stop)."""
    conns = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /message/idle?wait=20 HTTP/1.1\r\nHost: x\r\n\r\n")
        conns.append(s)
    return conns


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--idle-waiters", type=int, default=100)
    ap.add_argument("--base-port", type=int, default=34567)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="rrmq-consumers-")
    cluster = RootCluster(ROOT, [args.base_port + i for i in range(3)], work)
    try:
        for i in range(3):
            cluster.start(i)
        found = wait_for(lambda: current_leader(cluster), 60)
        if not found:
            raise SystemExit("no leader")
        port = cluster.ports[found[0]]
        urls = cluster.urls()
        print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)

        bench(urls, "mixed", args.connections, 5, args.batch)  # warm-up: JIT and connections, unmeasured
        prefill = 20000
        phases = [("put", "put", 0), ("put-batch", "put-batch", 0), ("pop", "get", prefill),
                  ("receive-ack", "receive-ack", prefill)]
        rates = {name: [] for name, _, _ in phases}
        for r in range(args.rounds):
            order = phases if r % 2 == 0 else list(reversed(phases))
            for name, op, fill in order:
                result = bench(urls, op, args.connections, args.seconds, args.batch, fill)
                rate = result["messages_per_second"] if result else 0.0
                rates[name].append(rate)
                p99 = result["p99"] if result else float("nan")
                print(f"round {r + 1} {name:12s} {rate:10.0f} messages/s  p99 {p99:7.2f} ms", flush=True)
        med = {name: statistics.median(v) for name, v in rates.items()}
        print("\nmedian messages/s: " + ", ".join(f"{k} {v:.0f}" for k, v in med.items()))
        if med["pop"]:
            print(f"receive+ack / pop: {med['receive-ack'] / med['pop']:.2f}")

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("PUT", "/topic", json.dumps({"topic": "idle"}), {"Content-Type": "application/json"})
        conn.getresponse().read()
        quiet = idle_cpu(cluster)
        held = hold_long_polls(port, args.idle_waiters)
        try:
            time.sleep(1)
            waiting = idle_cpu(cluster)
        finally:
            for s in held:
                s.close()
        print(f"CPU of the 3 nodes, % of a core: idle {quiet * 100:.1f}, "
              f"with {args.idle_waiters} idle long polls {waiting * 100:.1f}")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
