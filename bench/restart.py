#!/usr/bin/env python3
"""Restart time of one RRMQ node holding N acknowledged messages, with the default snapshot policy
and with snapshots effectively off (the whole log replayed).

    python3 bench/restart.py [--messages 1000000] [--connections 64]

Fills a fresh single-node cluster with rrmq-bench, SIGKILLs the node, starts it again and times
spawn -> first HTTP answer and spawn -> Raft ready with every entry applied. Run from the repo root
after the build; stdlib only; it stops only the node it started.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def status(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/status")
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return json.loads(body) if r.status == 200 else None
    except OSError:
        return None


def start(work, config, jvm_opts):
    env = dict(os.environ, RRMQ_DATA_DIR=os.path.join(work, "data"), RRMQ_JVM_OPTS=jvm_opts)
    log = open(os.path.join(work, "node.log"), "ab")
    return subprocess.Popen([sys.executable, "src/node.py", config, "0"], stdout=log, stderr=subprocess.STDOUT,
                            env=env)


def measure(label, messages, connections, port, jvm_opts):
    work = tempfile.mkdtemp(prefix="rrmq-restart.")
    config = os.path.join(work, "config.json")
    with open(config, "w") as f:
        json.dump({"addresses": [{"ip": "127.0.0.1", "port": port}]}, f)
    node = start(work, config, jvm_opts)
    try:
        while not (status(port) or {}).get("role") == "Leader":
            time.sleep(0.05)
        subprocess.run(["java", "-jar", "rrmq-bench/target/rrmq-bench.jar", "--url", f"http://127.0.0.1:{port}",
                        "--op", "get", "-c", str(connections), "--prefill", str(messages), "-d", "1ms",
                        "-w", "0s", "--topics", "4", "--json"], check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        applied = status(port)["lastApplied"]
        node.send_signal(signal.SIGKILL)
        node.wait()
        spawned = time.monotonic()
        node = start(work, config, jvm_opts)
        answered = None
        while True:
            s = status(port)
            now = time.monotonic()
            if s is not None and answered is None:
                answered = now
            if s and s.get("ready") and s.get("lastApplied", 0) >= applied:
                break
            time.sleep(0.01)
        data = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(work, "data")) for f in fs)
        print(f"{label}: {applied:,} entries applied before SIGKILL; restart -> first answer "
              f"{(answered - spawned) * 1000:.0f} ms, -> all applied {(now - spawned) * 1000:.0f} ms; "
              f"data directory {data / 2**20:.1f} MiB", flush=True)
    finally:
        node.send_signal(signal.SIGTERM)
        node.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", type=int, default=29667)
    args = parser.parse_args()
    big = "-Xmx1g -Drrmq.queue.bytes=2000000000"
    measure("with snapshots (default policy)", args.messages, args.connections, args.port, big)
    measure("without snapshots (log replayed)", args.messages, args.connections, args.port,
            big + " -Drrmq.snapshot.entries=1000000000 -Drrmq.snapshot.bytes=100000000000")


if __name__ == "__main__":
    main()
