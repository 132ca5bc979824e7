#!/usr/bin/env python3
"""A follower that missed a large state catches up through InstallSnapshot: its MB/s, and the
leader's latency meanwhile.

    python3 bench/catchup.py [--mib 1024] [--a ROOT_A] [--b .] [--jvm-a OPTS] [--jvm-b OPTS] [--rounds 2]

Each run gets a fresh 3-node cluster on loopback, of build B, or with --a of A and B alternating
(A B B A ...: the machine's drift hits both alike), --rounds times each.
A follower is stopped (SIGKILL); one producer puts --mib MiB of 1,000-character messages into one
topic (PUT /messages, batches of --batch), so the leader snapshots and compacts its log past the
stopped follower; the bytes each live node wrote meanwhile (/proc/PID/io write_bytes) and its
snapshots are printed. Then the follower is started again while a prober puts one small message
at a time at the leader (sequentially, each answer awaited): spawn -> applied as far as the leader
was, the size of the snapshot it installed (its snapshots directory), MB/s = that size / the time,
and the prober's p50/p99/max latency over the catch-up. Stdlib only; it stops only the nodes it
spawned. Run from the repo root after the build.
"""
import argparse
import collections
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ab import RootCluster  # noqa: E402
from deep import snapshots_taken, start_with_topics, written_mib  # noqa: E402
from failover import current_leader, status, wait_for  # noqa: E402

TOPIC = "catchup"
BODY = 1000  # characters per message


def snapshot_bytes(work, node):
    """Size of the newest snapshot file in a node's snapshots directory (0: none)."""
    found = []
    for d, _, files in os.walk(os.path.join(work, "data")):
        if os.path.basename(d) != "snapshots" or f"{os.sep}node-{node}{os.sep}" not in d + os.sep:
            continue
        for f in files:
            if f.startswith("snapshot-") and f.endswith(".snap"):
                found.append((f, os.path.getsize(os.path.join(d, f))))
    return max(found)[1] if found else 0


class Prober(threading.Thread):
    """Puts one small message at a time at one node until stopped; records each latency (s)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.latencies = []
        self.failures = collections.Counter()  # by status code, or the exception's name
        self.running = True

    def run(self):
        body = json.dumps({"topic": TOPIC + "-probe", "message": "p"})
        conn = None
        for _ in range(1_000_000):  # bounded; stopped long before
            if not self.running:
                break
            started = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("PUT", "/message", body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    self.latencies.append(time.monotonic() - started)
                else:
                    self.failures[r.status] += 1  # 421: this node no longer leads
            except (OSError, http.client.HTTPException) as e:
                self.failures[type(e).__name__] += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
        if conn is not None:
            conn.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def run(label, root, jvm_opts, args, ports):
    work = tempfile.mkdtemp(prefix="rrmq-catchup.")
    os.environ["RRMQ_JVM_OPTS"] = jvm_opts
    cluster = RootCluster(root, ports, work)
    try:
        client = start_with_topics(cluster, TOPIC, TOPIC + "-probe")
        leader = wait_for(lambda: current_leader(cluster), 60)[0]
        follower = next(i for i in range(len(ports)) if i != leader)
        cluster.kill(follower)
        body = "x" * BODY
        total = args.mib * 2**20 // BODY
        started = time.monotonic()
        for first in range(0, total, args.batch):
            count = min(args.batch, total - first)
            client.call("PUT", "/messages", {"topic": TOPIC, "messages": [body] * count})
        fill_s = time.monotonic() - started
        live = [i for i in range(len(ports)) if i != follower]
        written = {i: written_mib(cluster.procs[i].pid) for i in live}
        taken = {i: snapshots_taken(ports[i]) for i in live}
        print(f"  {label}: {args.mib} MiB put in {fill_s:.0f} s; written per live node "
              f"{', '.join(f'{written[i]:.0f}' for i in live)} MiB; snapshots taken "
              f"{', '.join(str(taken[i]) for i in live)}; "
              f"{max(written[i] / max(taken[i], 1) for i in live):.1f} MiB written per snapshot at most "
              f"(log and stores included)", flush=True)
        leader = wait_for(lambda: current_leader(cluster), 60)[0]
        target = status(ports[leader])["lastApplied"]
        prober = Prober(ports[leader])
        prober.start()
        time.sleep(1.0)  # a baseline before the follower comes back
        baseline = list(prober.latencies)
        spawned = time.monotonic()
        cluster.start(follower)
        caught = wait_for(lambda: (status(ports[follower]) or {}).get("lastApplied", 0) >= target
                          and time.monotonic(), 1800, step=0.05)
        prober.running = False
        prober.join(15)
        during = prober.latencies[len(baseline):]
        s = status(ports[follower]) or {}
        installed = s.get("metrics", {}).get("snapshotsInstalled", "?")
        size = snapshot_bytes(work, follower)
        took = (caught - spawned) if caught else float("nan")
        print(f"{label}: follower that missed {args.mib} MiB: spawn -> caught up {took:.1f} s, "
              f"snapshots installed {installed}, its snapshot {size / 2**20:.0f} MiB -> "
              f"{size / 2**20 / took:.1f} MiB/s (start-up included); leader PUT latency during catch-up "
              f"p50 {percentile(during, 0.5) * 1000:.1f} ms, p99 {percentile(during, 0.99) * 1000:.1f} ms, "
              f"max {max(during, default=float('nan')) * 1000:.0f} ms over {len(during)} puts "
              f"(failed: {dict(prober.failures) or 0}); before: p99 {percentile(baseline, 0.99) * 1000:.1f} ms",
              flush=True)
        print_transfer_log(work, leader, follower, len(ports))
    finally:
        cluster.stop()
        if args.keep:
            print(f"  {label}: node logs and data kept in {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)


def print_transfer_log(work, leader, follower, nodes):
    """Where the catch-up's time went: the two nodes' log lines about the snapshot, with their times,
    and every node's changes of role or leader during the catch-up (the last lines of each)."""
    def about_the_transfer(line):
        return "snapshot" in line.lower() and " saved snapshot" not in line or " WARN " in line

    def role_change(line):
        return " in term " in line and " -> " in line

    for node in range(nodes):
        role = "leader" if node == leader else "follower" if node == follower else "other"
        with open(os.path.join(work, f"node-{node}.log"), errors="replace") as f:
            lines = [line.rstrip() for line in f
                     if role_change(line) or node in (leader, follower) and about_the_transfer(line)]
        for line in lines[-8:]:
            print(f"    {role} {node}: {line[:200]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024, help="MiB of message bodies the follower misses")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--a", help="repository root of the baseline build (omit: B only)")
    ap.add_argument("--b", default=".")
    ap.add_argument("--jvm-a", default="")
    ap.add_argument("--jvm-b", default="")
    ap.add_argument("--rounds", type=int, default=1, help="with --a: runs of each, in A B B A ... order")
    ap.add_argument("--base-port", type=int, default=19400)
    ap.add_argument("--keep", action="store_true", help="keep each run's node logs and data directories (prints where)")
    args = ap.parse_args()
    ports = [args.base_port + i for i in range(3)]
    if not args.a:
        for _ in range(args.rounds):
            run("B", args.b, args.jvm_b, args, ports)
        return
    for r in range(args.rounds):
        for label in ("A", "B") if r % 2 == 0 else ("B", "A"):
            root, jvm = (args.a, args.jvm_a) if label == "A" else (args.b, args.jvm_b)
            run(label, root, jvm, args, ports)


if __name__ == "__main__":
    main()
