#!/usr/bin/env python3
"""A deep queue: RSS while N messages are queued with consumers stopped, restart time of a node at
that depth, then every message drained (receive + ack) and checked: all there, in order, once.

    python3 bench/deep.py [--messages 1000000] [--a ROOT_A] [--b .] [--jvm-a OPTS] [--jvm-b OPTS]

Each build (A, the baseline, only if --a is given; then B) gets a fresh 3-node cluster on loopback.
One producer puts 100-character messages numbered 0..N-1 into one topic with PUT /messages (batches
of --batch); every --step messages the nodes' RSS (VmRSS) is sampled; after the fill, the bytes each
node wrote (/proc/PID/io write_bytes) and its snapshots. Then a follower is SIGKILLed and started
again (--restarts times): spawn -> first HTTP answer, spawn -> applied as far as the leader. Then one
consumer drains the topic (receive max 100, ack) and the sequence is checked. Prints the figures of
each build; stdlib only; it stops only the nodes it spawned. Run from the repo root after the build.
"""
import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ab import RootCluster  # noqa: E402
from failover import current_leader, status, wait_for  # noqa: E402

TOPIC = "deep"


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def written_mib(pid):
    """Bytes the process sent (or dirtied) towards storage: its log, snapshots, stores, checkpoints."""
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1]) / 2**20
    return 0.0


def snapshots_taken(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        for line in conn.getresponse().read().decode().splitlines():
            if line.startswith("rrmq_snapshots_total") and 'kind="taken"' in line:
                return int(float(line.split()[-1]))
    finally:
        conn.close()
    return 0


def dir_mib(path):
    """Bytes of the files under path, each inode once: a checkpoint hard-links the live segment
    files, and counting every name would count those bytes twice."""
    seen = set()
    total = 0
    for d, _, fs in os.walk(path):
        for f in fs:
            try:
                st = os.lstat(os.path.join(d, f))
            except FileNotFoundError:  # the node deleted it while we walked
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 2**20


class Client:
    """One keep-alive connection to the leader; every call carries a request id and is retried with
    it (at whichever node leads) until the answer is definite, so a retry never stores or pops twice."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.conn = None
        self.calls = 0

    def connect(self):
        found = wait_for(lambda: current_leader(self.cluster), 60)
        if found is None:
            raise OSError("no leader within 60 s")
        self.conn = http.client.HTTPConnection("127.0.0.1", self.cluster.ports[found[0]], timeout=30)

    def call(self, method, path, body):
        self.calls += 1
        headers = {"Content-Type": "application/json", "X-RRMQ-Request-Id": f"deep-{os.getpid()}-{self.calls}"}
        for attempt in range(200):
            try:
                if self.conn is None:
                    self.connect()
                self.conn.request(method, path, body=json.dumps(body), headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.status in (200, 404):
                    return r.status, json.loads(data)
                if r.status not in (421, 503, 504):
                    raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
            except (OSError, http.client.HTTPException):
                pass
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            time.sleep(0.2)
        raise RuntimeError(f"{method} {path}: no definite answer")


def message(i):
    return f"{i:012d}" + "x" * 88  # 100 characters


def run(label, root, jvm_opts, args, ports):
    work = tempfile.mkdtemp(prefix="rrmq-deep.")
    os.environ["RRMQ_JVM_OPTS"] = jvm_opts
    cluster = RootCluster(root, ports, work)
    try:
        for i in range(len(ports)):
            cluster.start(i)
        client = Client(cluster)
        client.call("PUT", "/topic", {"topic": TOPIC})
        peak = [0.0] * len(ports)
        samples = []
        started = time.monotonic()
        for first in range(0, args.messages, args.batch):
            count = min(args.batch, args.messages - first)
            client.call("PUT", "/messages", {"topic": TOPIC, "messages": [message(first + k) for k in range(count)]})
            done = first + count
            if done % args.step < args.batch or done == args.messages:
                rss = [rss_mib(p.pid) for p in cluster.procs]
                peak = [max(a, b) for a, b in zip(peak, rss)]
                samples.append((done, max(rss)))
                print(f"  {label}: {done:,} queued, {done / (time.monotonic() - started):,.0f} msg/s, "
                      f"RSS max {max(rss):.0f} MiB, data {dir_mib(os.path.join(work, 'data')):.0f} MiB", flush=True)
        fill_s = time.monotonic() - started
        written = [written_mib(p.pid) for p in cluster.procs]
        taken = [snapshots_taken(port) for port in ports]
        print(f"  {label}: written during the fill per node {', '.join(f'{w:.0f}' for w in written)} MiB; "
              f"snapshots taken {', '.join(map(str, taken))}; "
              f"{max(w / max(t, 1) for w, t in zip(written, taken)):.1f} MiB written per snapshot at most "
              f"(log included)", flush=True)
        # Restart a follower at this depth (--restarts times).
        restarts = []
        for _ in range(args.restarts):
            leader = wait_for(lambda: current_leader(cluster), 60)[0]
            target = status(ports[leader])["lastApplied"]
            follower = next(i for i in range(len(ports)) if i != leader)
            cluster.kill(follower)
            spawned = time.monotonic()
            cluster.start(follower)
            answered = wait_for(lambda: status(ports[follower]) is not None and time.monotonic(), 120)
            caught = wait_for(lambda: (status(ports[follower]) or {}).get("lastApplied", 0) >= target
                              and time.monotonic(), 600)
            restarts.append((answered - spawned, caught - spawned))
            print(f"  {label}: follower restart -> first answer {(answered - spawned) * 1000:.0f} ms, "
                  f"-> caught up {(caught - spawned) * 1000:.0f} ms", flush=True)
        restart_rss = rss_mib(cluster.procs[follower].pid)
        answered_ms = sorted(a * 1000 for a, _ in restarts)[len(restarts) // 2]
        caught_ms = sorted(c * 1000 for _, c in restarts)[len(restarts) // 2]
        # Drain and check.
        started = time.monotonic()
        expected = 0
        drain_peak = 0.0
        while expected < args.messages:
            _, got = client.call("POST", f"/message/{TOPIC}/receive", {"max": 100, "visibility": 3600})
            msgs = got.get("messages", [])
            if not msgs:
                raise RuntimeError(f"{label}: queue empty after {expected:,} of {args.messages:,}")
            for m in msgs:
                if m["message"] != message(expected) or m["deliveries"] != 1:
                    raise RuntimeError(f"{label}: expected message {expected}, got {m['message'][:12]}"
                                       f" (deliveries {m['deliveries']})")
                expected += 1
            client.call("POST", f"/message/{TOPIC}/ack", {"receipts": [m["receipt"] for m in msgs]})
            if expected % args.step < 100:
                drain_peak = max([drain_peak] + [rss_mib(p.pid) for p in cluster.procs])
        code, _ = client.call("POST", f"/message/{TOPIC}/receive", {"max": 1})
        drain_s = time.monotonic() - started
        print(f"{label}: {args.messages:,} queued in {fill_s:.0f} s ({args.messages / fill_s:,.0f} msg/s); "
              f"peak RSS per node {', '.join(f'{p:.0f}' for p in peak)} MiB; "
              f"follower restart (median of {len(restarts)}) -> first answer {answered_ms:.0f} ms, -> caught up "
              f"{caught_ms:.0f} ms (RSS then {restart_rss:.0f} MiB); "
              f"drained {args.messages:,} in order, once each, in {drain_s:.0f} s ({args.messages / drain_s:,.0f} msg/s), "
              f"peak RSS while draining {drain_peak:.0f} MiB; data directories "
              f"{dir_mib(os.path.join(work, 'data')):.0f} MiB after the drain", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--step", type=int, default=250_000)
    ap.add_argument("--a", help="repository root of the baseline build (omit: B only)")
    ap.add_argument("--b", default=".")
    ap.add_argument("--jvm-a", default="-Xmx2g -Drrmq.queue.bytes=100000000000",
                    help="RRMQ_JVM_OPTS for A (a heap queue needs a heap and a bound to match)")
    ap.add_argument("--jvm-b", default="-Drrmq.snapshot.trailing=500",
                    help="RRMQ_JVM_OPTS for B (the Raft log behind a snapshot is kept on the heap: 10,000"
                         " entries of 1,000-message batches would be 1 GB)")
    ap.add_argument("--restarts", type=int, default=1, help="follower restarts at full depth (median reported)")
    ap.add_argument("--base-port", type=int, default=31567)
    args = ap.parse_args()
    ports = [args.base_port + i for i in range(3)]
    if args.a:
        run("A", args.a, args.jvm_a, args, ports)
    run("B", args.b, args.jvm_b, args, ports)


if __name__ == "__main__":
    main()
