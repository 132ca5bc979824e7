#!/usr/bin/env python3
"""Batch puts of RRMQ against NATS JetStream publishes, paired: a 3-node RRMQ cluster and a 3-node
JetStream cluster (nats-server from Debian, file storage, a stream with 3 replicas) both on loopback,
driven by rrmq-bench in alternating slots (RRMQ, NATS, NATS, RRMQ, ...) with the same connections,
batch and message size.

    python3 bench/nats_compare.py [--rounds 6] [--seconds 8] [--connections 16] [--batch 100]

A JetStream batch is --batch publishes written back to back, then their acknowledgements (a quorum
of replicas stored each one); an RRMQ batch is one PUT /messages, one log entry fsynced on a
majority. Note: nats-server 2.9 fsyncs its store every 2 minutes, not before acknowledging (2.10
added sync_interval: always); RRMQ fsyncs before every acknowledgement. It prints each slot, then
the median RRMQ/NATS ratio with its range. It stops only the processes it started.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

from ab import RootCluster
from consumers import JAR, ROOT, bench
from failover import current_leader, wait_for

NATS_PORTS = [34722, 34723, 34724]
ROUTE_PORTS = [36722, 36723, 36724]


def start_nats(work):
    procs = []
    routes = ", ".join(f"nats://127.0.0.1:{p}" for p in ROUTE_PORTS)
    for i, (port, route) in enumerate(zip(NATS_PORTS, ROUTE_PORTS)):
        conf = os.path.join(work, f"nats-{i}.conf")
        with open(conf, "w") as f:
            f.write(f'server_name: n{i}\nlisten: 127.0.0.1:{port}\n'
                    f'jetstream {{ store_dir: "{os.path.join(work, f"nats-{i}")}" }}\n'
                    f'cluster {{ name: bench, listen: 127.0.0.1:{route}, routes: [{routes}] }}\n')
        with open(os.path.join(work, f"nats-{i}.log"), "ab") as log:
            procs.append(subprocess.Popen(["nats-server", "-c", conf], stdout=log, stderr=subprocess.STDOUT))
    return procs


def nats_bench(connections, seconds, batch):
    """rrmq-bench against JetStream; retried while its cluster still elects its meta leader."""
    for _ in range(10):
        out = subprocess.run(["java", "-jar", JAR, "--url", f"nats://127.0.0.1:{NATS_PORTS[0]}",
                              "--op", "nats-batch", "-c", str(connections), "-d", f"{seconds}s", "-w", "1s",
                              "--topics", "4", "--batch", str(batch), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        lines = out.strip().splitlines()
        if lines:
            return json.loads(lines[-1])
        time.sleep(2)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--base-port", type=int, default=34667)
    args = ap.parse_args()
    if shutil.which("nats-server") is None:
        raise SystemExit("nats-server is not installed (Debian: apt-get install nats-server)")
    work = tempfile.mkdtemp(prefix="rrmq-nats-")
    cluster = RootCluster(ROOT, [args.base_port + i for i in range(3)], work)
    nats = []
    try:
        for i in range(3):
            cluster.start(i)
        nats = start_nats(work)
        if not wait_for(lambda: current_leader(cluster), 60):
            raise SystemExit("no RRMQ leader")
        urls = cluster.urls()
        print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
        bench(urls, "put-batch", args.connections, 3, args.batch)  # warm-up of both, unmeasured
        nats_bench(args.connections, 3, args.batch)
        ratios, rrmq_rates, nats_rates = [], [], []
        for r in range(args.rounds):
            order = ["rrmq", "nats"] if r % 2 == 0 else ["nats", "rrmq"]
            got = {}
            for side in order:
                result = (bench(urls, "put-batch", args.connections, args.seconds, args.batch) if side == "rrmq"
                          else nats_bench(args.connections, args.seconds, args.batch))
                got[side] = result["messages_per_second"] if result else 0.0
                p99 = result["p99"] if result else float("nan")
                print(f"round {r + 1} {side:5s} {got[side]:10.0f} messages/s  p99 per batch {p99:7.2f} ms", flush=True)
            rrmq_rates.append(got["rrmq"])
            nats_rates.append(got["nats"])
            if got["nats"]:
                ratios.append(got["rrmq"] / got["nats"])
        print(f"\nmedian messages/s: RRMQ {statistics.median(rrmq_rates):.0f}, NATS JetStream "
              f"{statistics.median(nats_rates):.0f}")
        if ratios:
            print(f"RRMQ/NATS: median {statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]")
    finally:
        for p in nats:
            p.send_signal(signal.SIGTERM)
        for p in nats:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
