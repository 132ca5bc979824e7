#!/usr/bin/env python3
"""A deep queue: RSS while N messages are queued with consumers stopped, restart time of a node at
that depth, then every message drained (receive + ack) and checked: all there, in order, once.

    python3 bench/deep.py [--messages 1000000] [--a ROOT_A] [--b .] [--jvm-a OPTS] [--jvm-b OPTS]
                          [--restarts 1] [--reclaim] [--sample 5]

Each build (A, the baseline, only if --a is given; then B) gets a fresh 3-node cluster on loopback.
One producer puts 100-character messages numbered 0..N-1 into one topic with PUT /messages (batches
of --batch); every --step messages the nodes' RSS (VmRSS) is printed; after the fill, the bytes each
node wrote (/proc/PID/io write_bytes) and its snapshots. Then a follower is SIGKILLed and started
again (--restarts times): spawn -> first HTTP answer (any status: a recovering node answers 503),
-> Raft running (/status "ready"), -> applied as far as the leader was. Then one consumer drains the
topic (receive max 100, ack) and the sequence is checked. Meanwhile a thread samples every node's
RSS every --sample seconds and prints the maximum per phase (fill, restart, drain, ...) and node.
With --reclaim, then put+drain of 1,000-character messages until every node has taken two more
snapshots (a checkpoint keeps the segments it names until the second snapshot after it), each
node's data directory (hard-linked files counted once), and the same on a fresh empty cluster for
comparison. B runs with the launcher's own flags (src/node.py) and nothing else unless --jvm-b says.
Prints the figures of each build; stdlib only; it stops only the nodes it spawned and deletes
their data, also on SIGTERM/SIGINT. Run from the repo root after the build.
"""
import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ab import RootCluster  # noqa: E402
from failover import current_leader, request, status, wait_for  # noqa: E402

TOPIC = "deep"


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:  # the node exited (killed for a restart) since we looked it up
        pass
    return 0.0


class RssSampler(threading.Thread):
    """Samples every node's RSS every `interval` seconds on its own thread, whatever the main thread
    is waiting for, and keeps the maximum per phase and node: a sample every --step messages alone
    says nothing about the seconds between (a drain of 1M messages spans minutes)."""

    def __init__(self, cluster, interval):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.interval = interval
        self.phase = "start"
        self.peaks = {}  # phase -> [max RSS MiB per node]
        self.lock = threading.Lock()  # the main thread samples too (at every --step)
        self.stopped = threading.Event()

    def sample(self):
        """Reads every node's RSS now, counts it towards the current phase; returns it per node."""
        rss = [rss_mib(p.pid) if p is not None else 0.0 for p in list(self.cluster.procs)]
        with self.lock:
            peaks = self.peaks.get(self.phase, [0.0] * len(rss))
            self.peaks[self.phase] = [max(a, b) for a, b in zip(peaks, rss)]
        return rss

    def run(self):
        while not self.stopped.wait(self.interval):
            self.sample()

    def enter(self, phase):
        """Ends the current phase with one last sample, so a short phase has at least one."""
        self.sample()
        self.phase = phase

    def stop(self):
        self.stopped.set()
        self.join()
        self.sample()

    def report(self, label):
        for phase, peaks in self.peaks.items():
            print(f"{label}: RSS max in phase {phase} per node {', '.join(f'{p:.0f}' for p in peaks)} MiB "
                  f"(every {self.interval:g} s)", flush=True)


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


def node_dir(work, i):
    """Node i's data directory (RRMQ_DATA_DIR/<cluster-id>/node-<i>, see the server's DataDirectory)."""
    found = glob.glob(os.path.join(work, "data", "*", f"node-{i}"))
    return found[0] if found else os.path.join(work, "data", f"node-{i}")


def breakdown(path):
    """MiB of a node's data directory by part, each inode counted once, in the first part that names
    it: the live store (messages/gen-*), then what only checkpoints still hold, the Raft log, snapshots."""
    seen = set()
    parts = {}
    for part, pattern in (("store", "messages/gen-*"), ("checkpoints", "messages/checkpoints"),
                          ("log", "log-*"), ("snapshots", "snapshots"), ("other", "*")):
        total = 0
        for top in glob.glob(os.path.join(path, pattern)):
            walk = [(top, [], [""])] if os.path.isfile(top) else os.walk(top)
            for d, _, fs in walk:
                for f in fs:
                    try:
                        st = os.lstat(os.path.join(d, f) if f else d)
                    except FileNotFoundError:
                        continue
                    if (st.st_dev, st.st_ino) not in seen:
                        seen.add((st.st_dev, st.st_ino))
                        total += st.st_size
        parts[part] = total / 2**20
    return ", ".join(f"{k} {v:.1f}" for k, v in parts.items())


def node_mibs(work, n):
    return [dir_mib(node_dir(work, i)) for i in range(n)]


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


def start_with_topics(cluster, *topics):
    """Starts every node of cluster and creates topics; returns a Client of its leader. The caller
    stops the cluster (also when this fails)."""
    for i in range(len(cluster.ports)):
        cluster.start(i)
    client = Client(cluster)
    for topic in topics:
        client.call("PUT", "/topic", {"topic": topic})
    return client


def message(i):
    return f"{i:012d}" + "x" * 88  # 100 characters


def churn(client, ports, snapshots, tag, max_rounds=400):
    """Puts and drains 1,000-character messages (batches of 500, receive max 100 + ack) until every
    node has taken `snapshots` more snapshots; returns (rounds, MiB put). What a node keeps after a
    drain is decided at its next snapshots (a checkpoint holds the segments it names until the second
    snapshot after), so disk reclaim is measured after them."""
    before = [snapshots_taken(p) for p in ports]
    body = "y" * 988
    for r in range(max_rounds):
        for b in range(10):
            client.call("PUT", "/messages", {"topic": TOPIC, "messages": [f"{tag}{r:05d}{b:02d}{k:03d}" + body
                                                                          for k in range(500)]})
        left = 5000
        for _ in range(1000):
            if left == 0:
                break
            _, got = client.call("POST", f"/message/{TOPIC}/receive", {"max": 100, "visibility": 3600})
            msgs = got.get("messages", [])
            if msgs:
                client.call("POST", f"/message/{TOPIC}/ack", {"receipts": [m["receipt"] for m in msgs]})
                left -= len(msgs)
        if left:
            raise RuntimeError(f"churn round {r}: {left} messages not received back")
        if all(snapshots_taken(p) - b >= snapshots for p, b in zip(ports, before)):
            return r + 1, (r + 1) * 10 * 500 * 1000 / 2**20
    raise RuntimeError(f"churn: fewer than {snapshots} snapshots per node after {max_rounds} rounds")


def settled_mibs(work, n, seconds=10):
    """Per-node data directory sizes once they stopped shrinking (a snapshot's deletions run on the
    node's snapshot thread, a little after the metric counts it), waiting at most `seconds`."""
    sizes = node_mibs(work, n)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(1)
        now = node_mibs(work, n)
        if all(abs(a - b) < 0.1 for a, b in zip(sizes, now)):
            return now
        sizes = now
    return sizes


def mibs(values):
    return ", ".join(f"{v:.1f}" for v in values)


def run(label, root, jvm_opts, args, ports):
    work = tempfile.mkdtemp(prefix="rrmq-deep.")
    os.environ["RRMQ_JVM_OPTS"] = jvm_opts
    cluster = RootCluster(root, ports, work)
    sampler = RssSampler(cluster, args.sample)
    try:
        sampler.start()
        client = start_with_topics(cluster, TOPIC)
        sampler.enter("fill")
        started = time.monotonic()
        for first in range(0, args.messages, args.batch):
            count = min(args.batch, args.messages - first)
            client.call("PUT", "/messages", {"topic": TOPIC, "messages": [message(first + k) for k in range(count)]})
            done = first + count
            if done % args.step < args.batch or done == args.messages:
                rss = sampler.sample()
                print(f"  {label}: {done:,} queued, {done / (time.monotonic() - started):,.0f} msg/s, "
                      f"RSS per node {mibs(rss)} MiB, data {dir_mib(os.path.join(work, 'data')):.0f} MiB "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
        fill_s = time.monotonic() - started
        written = [written_mib(p.pid) for p in cluster.procs]
        taken = [snapshots_taken(port) for port in ports]
        full = node_mibs(work, len(ports))
        print(f"  {label}: node 0 full: {breakdown(node_dir(work, 0))} MiB", flush=True)
        print(f"  {label}: written during the fill per node {', '.join(f'{w:.0f}' for w in written)} MiB; "
              f"snapshots taken {', '.join(map(str, taken))}; "
              f"{max(w / max(t, 1) for w, t in zip(written, taken)):.1f} MiB written per snapshot at most "
              f"(log included); data directory per node {mibs(full)} MiB", flush=True)
        # Restart a follower at this depth (--restarts times).
        sampler.enter("restart")
        restarts = []
        for _ in range(args.restarts):
            leader = wait_for(lambda: current_leader(cluster), 60)[0]
            target = status(ports[leader])["lastApplied"]
            follower = next(i for i in range(len(ports)) if i != leader)
            cluster.kill(follower)
            spawned = time.monotonic()
            cluster.start(follower)
            # Any HTTP answer (a node answers 503 "starting" while it recovers, as a grading harness
            # polls it), then Raft running (/status "ready": recovered from its checkpoint and log), then
            # applied as far as the leader was.
            answered = wait_for(lambda: request(ports[follower], "GET", "/")[0] is not None and time.monotonic(), 120)
            running = wait_for(lambda: (status(ports[follower]) or {}).get("ready") and time.monotonic(), 120)
            caught = wait_for(lambda: (status(ports[follower]) or {}).get("lastApplied", 0) >= target
                              and time.monotonic(), 600)
            restarts.append((answered - spawned, running - spawned, caught - spawned))
            print(f"  {label}: follower {follower} restart -> first HTTP answer {(answered - spawned) * 1000:.0f} ms, "
                  f"-> Raft running {(running - spawned) * 1000:.0f} ms, -> caught up {(caught - spawned) * 1000:.0f} ms"
                  f" (load {os.getloadavg()[0]:.1f}); {recovery_line(work, follower)}", flush=True)
        restart_rss = rss_mib(cluster.procs[follower].pid)
        answered_ms, running_ms, caught_ms = (sorted(r[k] * 1000 for r in restarts)[len(restarts) // 2]
                                              for k in range(3))
        if args.restart_only:
            return
        # Drain and check.
        sampler.enter("drain")
        started = time.monotonic()
        expected = 0
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
                rss = sampler.sample()
                print(f"  {label}: {expected:,} drained, {expected / (time.monotonic() - started):,.0f} msg/s, "
                      f"RSS per node {mibs(rss)} MiB (load {os.getloadavg()[0]:.1f})", flush=True)
        code, _ = client.call("POST", f"/message/{TOPIC}/receive", {"max": 1})
        drain_s = time.monotonic() - started
        sampler.enter("after-drain")
        drained = settled_mibs(work, len(ports), 3)
        print(f"  {label}: node 0 drained: {breakdown(node_dir(work, 0))} MiB", flush=True)
        print(f"{label}: {args.messages:,} queued in {fill_s:.0f} s ({args.messages / fill_s:,.0f} msg/s); "
              f"peak RSS per node {mibs(sampler.peaks['fill'])} MiB; "
              f"follower restart (median of {len(restarts)}) -> first HTTP answer {answered_ms:.0f} ms, -> Raft running "
              f"{running_ms:.0f} ms, -> caught up {caught_ms:.0f} ms (RSS then {restart_rss:.0f} MiB); "
              f"drained {args.messages:,} in order, once each, in {drain_s:.0f} s ({args.messages / drain_s:,.0f} msg/s), "
              f"peak RSS while draining {max(sampler.peaks['drain']):.0f} MiB; data directory per node {mibs(drained)} MiB "
              f"after the drain", flush=True)
        if args.reclaim:
            sampler.enter("reclaim")
            rounds, churned = churn(client, ports, 2, "r")
            reclaimed = settled_mibs(work, len(ports))
            print(f"  {label}: drained + {churned:.0f} MiB of put+drain ({rounds} rounds, 2 snapshots each): "
                  f"data directory per node {mibs(reclaimed)} MiB; node 0: {breakdown(node_dir(work, 0))} MiB",
                  flush=True)
    finally:
        sampler.stop()
        sampler.report(label)
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.reclaim:
        empty = empty_node_mibs(root, ports)
        print(f"{label}: disk reclaim: data directory per node full {mibs(full)}, drained {mibs(drained)}, "
              f"drained + 2 snapshots {mibs(reclaimed)} MiB; an empty cluster after the same put+drain "
              f"{mibs(empty)} MiB; reclaimed / empty {', '.join(f'{r / e:.2f}' for r, e in zip(reclaimed, empty))}",
              flush=True)


def empty_node_mibs(root, ports):
    """The data directory of each node of a fresh cluster (same build and JVM options) after the
    put+drain that makes 2 snapshots on every node: the yardstick for a drained one, which has done
    the same. (A node that never took a snapshot holds a few KB: no yardstick.)"""
    work = tempfile.mkdtemp(prefix="rrmq-deep-empty.")
    cluster = RootCluster(root, ports, work)
    try:
        client = start_with_topics(cluster, TOPIC)
        churn(client, ports, 2, "e")
        sizes = settled_mibs(work, len(ports))
        print(f"  empty cluster after the same put+drain: node 0: {breakdown(node_dir(work, 0))} MiB", flush=True)
        return sizes
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def recovery_line(work, i):
    """The node's own account of its last start, from its log: listening -> recovered (RaftRuntime's
    resume or restore line, with the time it gives for that step) -> Raft running (Main), in ms."""
    try:
        with open(os.path.join(work, f"node-{i}.log"), errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return "no node log"

    def last(*keys):
        hits = [line for line in lines if any(k in line for k in keys)]
        return hits[-1] if hits else None

    def millis(line):
        h, m, rest = line[:12].split(":")
        return (int(h) * 3600 + int(m) * 60 + float(rest)) * 1000

    listening, recovered, running = (last(" listening on "), last(" resumed its checkpoint of ", " restored snapshot"),
                                     last("(Raft started "))
    if not (listening and running):
        return "no start lines in the node log"
    parts = [f"listening -> Raft running {millis(running) - millis(listening):.0f} ms"]
    if recovered:
        step = recovered[recovered.rfind(" in ") + 4:].strip()
        parts.append(f"listening -> recovered {millis(recovered) - millis(listening):.0f} ms "
                     f"({'checkpoint resumed' if 'resumed' in recovered else 'snapshot restored'} in {step})")
    parts.append(running[running.find("(Raft started"):].strip())
    return "; ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--step", type=int, default=250_000)
    ap.add_argument("--a", help="repository root of the baseline build (omit: B only)")
    ap.add_argument("--b", default=".")
    ap.add_argument("--jvm-a", default="-Xmx2g -Drrmq.queue.bytes=100000000000",
                    help="RRMQ_JVM_OPTS for A (a heap queue needs a heap and a bound to match)")
    ap.add_argument("--jvm-b", default="",
                    help="RRMQ_JVM_OPTS for B (default none: the launcher's flags and the storage defaults; the"
                         " Raft log kept behind a snapshot is bounded by rrmq.snapshot.trailing.bytes, 8 MiB)")
    ap.add_argument("--restarts", type=int, default=1, help="follower restarts at full depth (median reported)")
    ap.add_argument("--restart-only", action="store_true",
                    help="stop after the fill and the restarts (no drain, no check, no reclaim)")
    ap.add_argument("--sample", type=float, default=5.0, help="seconds between the RSS samples of every node")
    ap.add_argument("--reclaim", action="store_true",
                    help="also measure disk reclaim: an empty node's data directory after put+drain that makes"
                         " 2 snapshots on every node, then each node's after the drain plus the same")
    ap.add_argument("--base-port", type=int, default=31567)
    args = ap.parse_args()
    # SIGTERM (and SIGINT, which a shell ignores in background jobs) end the run through the finally
    # blocks, which stop the nodes and delete the data: several GB per node at 10 million messages.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    ports = [args.base_port + i for i in range(3)]
    if args.a:
        run("A", args.a, args.jvm_a, args, ports)
    run("B", args.b, args.jvm_b, args, ports)


if __name__ == "__main__":
    main()
