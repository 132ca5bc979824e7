#!/usr/bin/env python3
"""Failover of a 3-node RRMQ cluster on loopback: SIGKILL the leader, time until the first PUT
acknowledged through a survivor; restart the killed node, let it catch up, repeat.

    python3 bench/failover.py [--kills 20] [--nodes 3] [--base-port 29567]

Prints every measurement, then the median and max of (a) kill -> a survivor reports Leader and
(b) kill -> first acknowledged PUT /message. Run from the repo root after the build. Stdlib only;
it starts and stops only the nodes it spawned.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def request(port, method, path, body=None, timeout=0.3):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("X-RRMQ-Leader"), response.read()
    except OSError:
        return None, None, b""
    finally:
        conn.close()


def status(port):
    code, _, body = request(port, "GET", "/status")
    return json.loads(body) if code == 200 else None


class Cluster:
    def __init__(self, size, base_port, work, ports=None):
        """Ports base_port, base_port + 1, ...; or the given list of ports (then size is its length)."""
        self.ports = list(ports) if ports else [base_port + i for i in range(size)]
        size = len(self.ports)
        self.work = work
        self.config = os.path.join(work, "config.json")
        with open(self.config, "w") as f:
            json.dump({"addresses": [{"ip": "127.0.0.1", "port": p} for p in self.ports]}, f)
        self.procs = [None] * size

    def start(self, i):
        env = dict(os.environ, RRMQ_DATA_DIR=os.path.join(self.work, "data"))
        with open(os.path.join(self.work, f"node-{i}.log"), "ab") as log:  # the child keeps its own copy
            self.procs[i] = subprocess.Popen([sys.executable, "src/node.py", self.config, str(i)],
                                             stdout=log, stderr=subprocess.STDOUT, env=env)

    def kill(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()
        self.procs[i] = None

    def live(self):
        return [i for i, p in enumerate(self.procs) if p is not None]

    def leader(self, among=None):
        for i in among if among is not None else self.live():
            s = status(self.ports[i])
            if s and s.get("role") == "Leader":
                return i, s
        return None, None

    def stop(self, grace=10):
        """SIGTERM every node, SIGKILL those still running after grace seconds; returns once all exited."""
        for p in self.procs:
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        end = time.monotonic() + grace
        for p in self.procs:
            if p is not None:
                try:
                    p.wait(timeout=max(0.0, end - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = [None] * len(self.procs)


def wait_for(predicate, deadline_s, step=0.01):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def current_leader(cluster):
    """(index, status) of the node that says it leads, after one round of /status; None if none does."""
    found = cluster.leader()
    return found if found[0] is not None else None


def put_through_survivors(cluster, survivors, n):
    body = json.dumps({"topic": "failover", "message": f"after-kill-{n}"})
    port_of = {f"http://127.0.0.1:{p}": p for p in cluster.ports}
    for i in survivors:
        code, hint, _ = request(cluster.ports[i], "PUT", "/message", body)
        if code == 421 and hint in port_of:
            code, _, _ = request(port_of[hint], "PUT", "/message", body)
        if code == 200:
            return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--base-port", type=int, default=29567)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="rrmq-failover.")
    cluster = Cluster(args.nodes, args.base_port, work)
    elected, acked = [], []
    try:
        for i in range(args.nodes):
            cluster.start(i)
        leader, _ = wait_for(lambda: current_leader(cluster), 20) or (None, None)
        if leader is None:
            sys.exit("no leader within 20 s")
        code, _, _ = request(cluster.ports[leader], "PUT", "/topic", json.dumps({"topic": "failover"}), timeout=2)
        if code not in (200, 409):
            sys.exit(f"cannot create the topic: {code}")
        for n in range(args.kills):
            leader, s = wait_for(lambda: current_leader(cluster), 10) or (None, None)
            if leader is None:
                sys.exit(f"kill {n}: no leader within 10 s")
            survivors = [i for i in cluster.live() if i != leader]
            start = time.monotonic()
            cluster.kill(leader)
            if not wait_for(lambda: cluster.leader(survivors)[0] is not None, 10, step=0.005):
                sys.exit(f"kill {n}: no new leader within 10 s")
            elected.append(time.monotonic() - start)
            if not wait_for(lambda: put_through_survivors(cluster, survivors, n), 10, step=0.005):
                sys.exit(f"kill {n}: no acknowledged PUT within 10 s")
            acked.append(time.monotonic() - start)
            print(f"kill {n + 1:2d}: node {leader}, new leader after {elected[-1] * 1000:5.0f} ms, "
                  f"first acknowledged PUT after {acked[-1] * 1000:5.0f} ms", flush=True)
            cluster.start(leader)
            target = s["commitIndex"] if s else 0
            wait_for(lambda: (st := status(cluster.ports[leader])) and st.get("role") == "Follower"
                     and st.get("lastApplied", 0) >= target, 20, step=0.05)
            time.sleep(0.5)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    ms = lambda xs: f"median {statistics.median(xs) * 1000:.0f} ms, max {max(xs) * 1000:.0f} ms"
    print(f"failover over {len(acked)} SIGKILLs of the leader ({args.nodes} nodes): "
          f"new leader {ms(elected)}; first acknowledged PUT {ms(acked)}")


if __name__ == "__main__":
    main()
