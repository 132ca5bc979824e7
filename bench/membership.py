#!/usr/bin/env python3
"""Membership changes and leadership transfer on a local 3-node RRMQ cluster, measured.

    python3 bench/membership.py [--entries 100000] [--snapshot-mb 100] [--transfers 20] [--base-port 30567]

1. Fills the log with --entries small puts (rrmq-bench), starts a node with --join and times
   `POST /cluster/members` (add as learner, catch up, promote) until it is a voter.
2. Puts --snapshot-mb of 1 KiB messages (the leader snapshots past 64 MiB and keeps 10,000 entries
   behind it, so a new node must install a snapshot), adds a second joiner and times that.
3. While one client puts in a loop, hands leadership over --transfers times and reports the
   unavailability of each: the longest gap between two acknowledged puts around the transfer.

Admin requests are signed with the cluster key as rrmq does (HMAC-SHA256 over
"rrmq-admin-v1 METHOD PATH MILLIS\\n" + body). Run from the repo root after the build; stdlib only; it
stops only the nodes it started.
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failover import Cluster, request, status, wait_for  # noqa: E402

BENCH_JAR = "rrmq-bench/target/rrmq-bench.jar"


def signed(port, key, method, path, body=None, timeout=120):
    data = b"" if body is None else json.dumps(body).encode()
    millis = int(time.time() * 1000)
    mac = hmac.new(key, f"rrmq-admin-v1 {method} {path} {millis}\n".encode() + data, hashlib.sha256).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"X-RRMQ-Admin-Auth": f"1 {millis} {mac}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data if body is not None else None, headers=headers)
        r = conn.getresponse()
        return r.status, r.getheader("X-RRMQ-Leader"), r.read()
    finally:
        conn.close()


def admin(cluster, key, method, path, body=None, budget=300):
    """Sends an admin request to the leader, following 421 hints and waiting out 503s."""
    end = time.monotonic() + budget
    port = cluster.ports[0]
    while time.monotonic() < end:
        try:
            code, leader, reply = signed(port, key, method, path, body)
        except OSError:
            code, leader, reply = None, None, b""
        if code == 421 and leader:
            port = int(leader.rsplit(":", 1)[1])
            continue
        if code not in (None, 503, 504):  # 504: outcome unknown (leadership moved); the requests are idempotent
            return code, reply
        time.sleep(0.1)
    raise SystemExit(f"{method} {path}: no answer within {budget} s")


def bench(urls, op, extra):
    done = subprocess.run(["java", "-jar", BENCH_JAR, "--url", ",".join(urls), "--op", op, "--topics", "1",
                           "-w", "0s"] + extra, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        # The prefill is what counts here; an error in the one measured pop a second does not matter.
        print("note: rrmq-bench exited with " + str(done.returncode) + ": " + done.stderr.strip()[-200:], flush=True)


def create_topic(cluster, topic):
    end = time.monotonic() + 30
    port = cluster.ports[0]
    while time.monotonic() < end:
        code, leader, _ = request(port, "PUT", "/topic", json.dumps({"topic": topic}), 2.0)
        if code in (200, 409):
            return
        port = int(leader.rsplit(":", 1)[1]) if code == 421 and leader else cluster.ports[0]
        time.sleep(0.05)
    raise SystemExit("cannot create topic " + topic)


def fill(cluster, messages, size):
    """Puts about `messages` messages of `size` bytes (closed loop, 64 connections)."""
    urls = [f"http://127.0.0.1:{p}" for p in cluster.ports]
    # --prefill puts them (unmeasured); the measured part is one pop a second for a second.
    bench(urls, "get", ["--prefill", str(messages), "-s", str(size), "-d", "1s", "-r", "1", "-c", "64"])


def join(cluster, work, port, name):
    env = dict(os.environ, RRMQ_DATA_DIR=os.path.join(work, "data"))
    log = open(os.path.join(work, f"{name}.log"), "ab")
    proc = subprocess.Popen([sys.executable, "src/node.py", "--join", f"http://127.0.0.1:{cluster.ports[0]}",
                             "--address", f"http://127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_for(lambda: status(port) is not None, 30)
    return proc


def timed_add(cluster, key, port):
    start = time.monotonic()
    code, reply = admin(cluster, key, "POST", "/cluster/members", {"url": f"http://127.0.0.1:{port}"})
    elapsed = time.monotonic() - start
    if code != 200:
        raise SystemExit(f"adding {port} failed: {code} {reply[:300]}")
    return elapsed


class Putter(threading.Thread):
    """Puts in a loop through whoever leads, recording when each put was acknowledged."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.acks = []
        self.running = True

    def run(self):
        port = self.cluster.ports[0]
        n = 0
        while self.running:
            code, leader, _ = request(port, "PUT", "/message", json.dumps({"topic": "t", "message": f"m{n}"}), 2.0)
            if code == 200:
                self.acks.append(time.monotonic())
                n += 1
            elif code == 421 and leader:
                port = int(leader.rsplit(":", 1)[1])
            else:
                port = self.cluster.ports[(self.cluster.ports.index(port) + 1) % len(self.cluster.ports)] \
                    if port in self.cluster.ports else self.cluster.ports[0]
                time.sleep(0.005)


def largest_gap(acks, start, end):
    inside = [t for t in acks if start - 0.5 <= t <= end + 0.5]
    return max((b - a for a, b in zip(inside, inside[1:])), default=float("nan"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entries", type=int, default=100_000)
    p.add_argument("--snapshot-mb", type=int, default=100)
    p.add_argument("--transfers", type=int, default=20)
    p.add_argument("--base-port", type=int, default=30567)
    args = p.parse_args()
    for jar in (BENCH_JAR, "rrmq-server/target/rrmq-server.jar"):
        if not os.path.exists(jar):
            raise SystemExit(f"{jar} is missing: run mvn -q -B package -DskipTests first")
    # Room for the queued messages: the default queue bound (64 MiB) would refuse part of them.
    os.environ.setdefault("RRMQ_JVM_OPTS", "-Xmx768m -Drrmq.queue.bytes=536870912")
    work = tempfile.mkdtemp(prefix="rrmq-membership-")
    cluster = Cluster(3, args.base_port, work)
    joiners = []
    try:
        for i in range(3):
            cluster.start(i)
        wait_for(lambda: cluster.leader()[0] is not None, 30)
        cluster_id = wait_for(lambda: (status(cluster.ports[0]) or {}).get("clusterId"), 30)
        with open(os.path.join(work, "data", cluster_id, "cluster.key")) as f:
            key = bytes.fromhex(f.read().strip())
        create_topic(cluster, "t")

        fill(cluster, args.entries, 100)
        joiners.append(join(cluster, work, args.base_port + 3, "joiner-1"))
        first = timed_add(cluster, key, args.base_port + 3)
        print(f"add learner + promote, log of ~{args.entries} entries: {first:.2f} s", flush=True)

        if args.snapshot_mb > 0:
            fill(cluster, args.snapshot_mb * 1024, 1024)
            joiners.append(join(cluster, work, args.base_port + 4, "joiner-2"))
            second = timed_add(cluster, key, args.base_port + 4)
            installed = wait_for(lambda: status(args.base_port + 4), 30)["metrics"]["snapshotsInstalled"]
            taken = max(wait_for(lambda: status(p), 30)["metrics"]["snapshotsTaken"] for p in cluster.ports)
            print(f"add learner + promote, ~{args.snapshot_mb} MB of queued messages: {second:.2f} s"
                  f" (snapshots: the new node installed {installed}; most taken by a member {taken})", flush=True)

        if args.transfers == 0:
            return

        putter = Putter(cluster)
        cluster.ports.extend(args.base_port + 3 + i for i in range(len(joiners)))
        putter.start()
        time.sleep(1)
        gaps = []
        for n in range(args.transfers):
            start = time.monotonic()
            code, reply = admin(cluster, key, "POST", "/cluster/leader")
            end = time.monotonic()
            time.sleep(0.7)
            gap = largest_gap(putter.acks, start, end)
            gaps.append(gap * 1000)
            print(f"transfer {n + 1}: {code} {reply.decode()[:60]} in {(end - start) * 1000:.0f} ms;"
                  f" longest gap between acknowledged puts {gap * 1000:.0f} ms", flush=True)
        putter.running = False
        putter.join(5)
        print(f"unavailability per transfer: median {statistics.median(gaps):.0f} ms, max {max(gaps):.0f} ms"
              f" ({len(gaps)} transfers, {len(putter.acks)} puts acknowledged meanwhile)")
    finally:
        for proc in joiners:
            proc.terminate()
        for proc in joiners:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
