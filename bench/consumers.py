#!/usr/bin/env python3
"""Consumer throughput of a fresh 3-node RRMQ cluster on loopback: batch puts, then plain pops,
then receive+ack pairs (max 1 and max 10), each for --seconds with --workers client processes
(one keep-alive connection each, closed loop).

    python3 bench/consumers.py [--workers 8] [--seconds 8] [--batch 100] [--size 100] [--base-port 34567]

Prints messages/s for each phase and receive+ack against the pop rate. The clients are Python
processes on the same cores as the nodes, so absolute figures are lower than rrmq-bench's; the
phases share that handicap. Stdlib only; it stops only the nodes it spawned.
"""
import argparse
import http.client
import json
import multiprocessing
import re
import shutil
import tempfile
import time

from failover import Cluster, current_leader, wait_for

RECEIPT = re.compile(r'"receipt":"([0-9a-f]{32})"')


def worker(port, phase, seconds, batch, size, result):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    payload = "x" * size
    batch_body = json.dumps({"topic": "t", "messages": [payload] * batch})
    receive_body = json.dumps({"max": 1 if phase == "receive1" else 10, "visibility": 60})
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if phase == "batch":
            conn.request("PUT", "/messages", batch_body, headers)
            r = conn.getresponse(); r.read()
            done += batch if r.status == 200 else 0
        elif phase == "pop":
            conn.request("GET", "/message/t")
            r = conn.getresponse(); r.read()
            done += 1 if r.status == 200 else 0
        else:
            conn.request("POST", "/message/t/receive", receive_body, headers)
            r = conn.getresponse(); body = r.read().decode()
            receipts = RECEIPT.findall(body)
            if not receipts:
                continue
            conn.request("POST", "/message/t/ack", json.dumps({"receipts": receipts}), headers)
            r = conn.getresponse(); body = r.read().decode()
            if r.status == 200:
                done += json.loads(body)["acked"]
    result.put(done)


def run_phase(port, phase, workers, seconds, batch, size):
    result = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(port, phase, seconds, batch, size, result))
             for _ in range(workers)]
    start = time.monotonic()
    for p in procs:
        p.start()
    total = sum(result.get() for _ in procs)
    for p in procs:
        p.join()
    return total / (time.monotonic() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--base-port", type=int, default=34567)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="rrmq-consumers-")
    cluster = Cluster(3, args.base_port, work)
    try:
        for i in range(3):
            cluster.start(i)
        found = wait_for(lambda: current_leader(cluster), 60)
        if not found:
            raise SystemExit("no leader")
        port = cluster.ports[found[0]]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("PUT", "/topic", json.dumps({"topic": "t"}), {"Content-Type": "application/json"})
        conn.getresponse().read()
        rates = {}
        for phase in ["batch", "pop", "batch", "receive1", "receive10"]:
            rate = run_phase(port, phase, args.workers, args.seconds, args.batch, args.size)
            rates[phase] = rate
            print(f"{phase:10s} {rate:10.0f} messages/s", flush=True)
        print(f"receive+ack (max 1) / pop: {rates['receive1'] / rates['pop']:.2f}; "
              f"receive+ack (max 10) / pop: {rates['receive10'] / rates['pop']:.2f}")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
