#!/usr/bin/env python3
"""Start-up time of RRMQ nodes as a grading harness sees it: spawn -> first HTTP answer to GET /.

    python3 bench/startup.py [--runs 20] [--nodes 5] [--together] [--json]
    python3 bench/startup.py --idle [SECONDS]          # idle CPU of a 3-node cluster (default 30 s)
    python3 bench/startup.py --cli [--runs 20] [--baseline DIR]   # ./rrmq --help and ./rrmq topics

Start-up: per run, a fresh temp dir with a config of --nodes nodes on free loopback ports; the nodes
are spawned one after another (`python3 src/node.py CONFIG i`, RRMQ_DATA_DIR in the temp dir), and
each is polled with GET / until it answers with any HTTP status before the next is spawned, as the
grading harness does (the earlier nodes are still starting Raft meanwhile); with --together, all are
spawned back to back without waiting (a harder case: K JVMs starting at once on the same cores). The time from its
spawn to that answer is recorded per position 1..K. Each run ends with SIGTERM, then SIGKILL after
5 s, and waits for every node to exit. Two conditions, interleaved run by run (quiet, hogs, hogs,
quiet, ...) so that the machine's drift hits both alike: nothing else started, and two busy-loop CPU
hogs (bounded to 300 s each, killed at the end of the run). Prints position x {median, max} per
condition and the CPU that other processes used meanwhile (on a shared machine, what else ran);
exits 1 if a node did not answer within --limit seconds (5).

Idle: a 3-node cluster, a leader elected, then SECONDS of no requests; prints each node's CPU time
over that window (utime + stime from /proc/PID/stat) as a share of one core, the leader's apart.

CLI: a 3-node cluster, a leader elected and one topic created, then --runs rounds of `./rrmq --help`
and `./rrmq topics` (run from a directory holding the cluster's config.json); prints median and max
wall time and the median CPU time (user + system) of each. With --baseline DIR (another checkout or
a copy holding its own `rrmq` launcher and `rrmq-cli/target/`), both builds run in the same rounds,
alternating (this, baseline, baseline, this, ...), and the paired ratios this/baseline are printed
as median [min..max].

Run from the repo root after the build. Stdlib only; it stops only the processes it spawned.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from failover import Cluster, current_leader, wait_for

# No proxies: a node is on loopback, and an http_proxy in the environment must not reroute the polls.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
HOG = "import time\nend = time.monotonic() + 300\nwhile time.monotonic() < end: pass"


def free_ports(n):
    """n distinct loopback ports that were free a moment ago (held open together while chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def answers(port, timeout=0.25):
    """True if GET / gets any HTTP status back."""
    try:
        with OPENER.open(f"http://127.0.0.1:{port}/", timeout=timeout) as r:
            r.read()
        return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):  # refused, reset, timed out, or not HTTP yet
        return False


def poll_until_answer(cluster, i, spawned, deadline, out):
    """out[i] = seconds from spawn to the first answer; stays None if the node exited or ran past deadline."""
    while time.monotonic() < deadline:
        proc = cluster.procs[i]
        if proc is None or proc.poll() is not None:
            return
        if answers(cluster.ports[i]):
            out[i] = time.monotonic() - spawned
            return
        time.sleep(0.01)


def busy_cpu_seconds():
    """CPU time the whole machine spent busy (all cores), from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds(pids):
    """CPU time of the given live processes and of this script."""
    me = os.times()
    return sum(cpu_seconds(pid) for pid in pids) + me.user + me.system


def one_run(nodes, hogs, limit, together):
    """Spawn -> first answer per position (None: no answer), with or without the CPU hogs; and the
    CPU that processes other than this run's used meanwhile, in cores (what else shared the machine)."""
    work = tempfile.mkdtemp(prefix="rrmq-startup.")
    cluster = Cluster(nodes, 0, work, ports=free_ports(nodes))
    hog_procs = []
    times = [None] * nodes
    pollers = []
    start, busy, own = time.monotonic(), busy_cpu_seconds(), own_cpu_seconds([])
    try:
        if hogs:
            hog_procs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)]
            time.sleep(0.5)  # let them take the cores first
        for i in range(nodes):
            spawned = time.monotonic()
            cluster.start(i)
            t = threading.Thread(target=poll_until_answer,
                                 args=(cluster, i, spawned, spawned + limit + 10, times), daemon=True)
            t.start()
            pollers.append(t)
            if not together:
                t.join()
        for t in pollers:
            t.join()
        mine = [p.pid for p in cluster.procs + hog_procs if p is not None and p.poll() is None]
        others = (busy_cpu_seconds() - busy - (own_cpu_seconds(mine) - own)) / (time.monotonic() - start)
        for i, seconds in enumerate(times):
            if seconds is None:
                print(f"{'hogs' if hogs else 'quiet'}: the node at position {i + 1} never answered; "
                      "the end of its log:", file=sys.stderr)
                with open(os.path.join(work, f"node-{i}.log"), "rb") as f:
                    sys.stderr.write(f.read()[-2000:].decode(errors="replace") + "\n")
        return times, max(0.0, others)
    finally:
        cluster.stop(grace=5)
        for h in hog_procs:
            h.kill()
            h.wait()
        shutil.rmtree(work, ignore_errors=True)


def startup(args):
    results = {"quiet": [], "hogs": []}
    others = {"quiet": [], "hogs": []}  # cores used by other processes during each run
    for n in range(args.runs):
        # ABBA: quiet, hogs, hogs, quiet, quiet, hogs ...
        order = ("quiet", "hogs") if n % 2 == 0 else ("hogs", "quiet")
        for condition in order:
            times, other = one_run(args.nodes, condition == "hogs", args.limit, args.together)
            results[condition].append(times)
            others[condition].append(other)
            shown = " ".join("  -  " if t is None else f"{t:5.2f}" for t in times)
            print(f"run {n + 1:2d} {condition:5s}: {shown}  (other processes: {other:.2f} cores)",
                  file=sys.stderr, flush=True)
    failed = sum(t is None or t > args.limit for runs in results.values() for times in runs for t in times)
    if args.json:
        print(json.dumps({"nodes": args.nodes, "runs": args.runs, "limit": args.limit,
                          "seconds": results, "other_cores": others, "late_or_missing": failed}))
    else:
        def cells(values):
            got = [v for v in values if v is not None]
            if not got:
                return "- | -"
            return f"{statistics.median(got):.2f} | {max(got):.2f}" + ("" if len(got) == len(values) else " (+missing)")
        print(f"spawn -> first answer to GET /, seconds, {args.runs} runs per condition, {args.nodes} nodes "
              f"spawned {'back to back' if args.together else 'each after the previous answered'}, {os.cpu_count()} cores; CPU used by other processes meanwhile, cores, "
              "median [min..max]: " + ", ".join(f"{c} {statistics.median(v):.2f} [{min(v):.2f}..{max(v):.2f}]"
                                                for c, v in others.items()))
        print()
        print("| position | quiet median | quiet max | 2 CPU hogs median | 2 CPU hogs max |")
        print("|---|---|---|---|---|")
        for pos in range(args.nodes):
            column = {c: [times[pos] for times in runs] for c, runs in results.items()}
            print(f"| {pos + 1} | {cells(column['quiet'])} | {cells(column['hogs'])} |")
        every = {c: [t for times in runs for t in times] for c, runs in results.items()}
        print(f"| all | {cells(every['quiet'])} | {cells(every['hogs'])} |")
        known = [t for values in every.values() for t in values if t is not None]
        print()
        print(f"overall max: {max(known):.2f} s" if known else "overall max: no node answered")
    if failed:
        print(f"{failed} node start(s) did not answer within {args.limit:g} s", file=sys.stderr)
        return 1
    return 0


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the ")" that ends the command name: field 3 (state) is fields[0], so utime (14) is [11].
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle(args):
    work = tempfile.mkdtemp(prefix="rrmq-idle.")
    cluster = Cluster(3, 0, work, ports=free_ports(3))
    try:
        for i in range(3):
            cluster.start(i)
        found = wait_for(lambda: current_leader(cluster), 20)
        if found is None:
            print("no leader within 20 s", file=sys.stderr)
            return 1
        leader, status = found
        pids = [p.pid for p in cluster.procs]
        start, before = time.monotonic(), [cpu_seconds(pid) for pid in pids]
        time.sleep(args.idle / 2)
        mid, middle = time.monotonic(), [cpu_seconds(pid) for pid in pids]
        time.sleep(args.idle / 2)
        end, after = time.monotonic(), [cpu_seconds(pid) for pid in pids]
        still, _ = cluster.leader()
        print(f"idle CPU over {end - start:.1f} s after the first leader was elected (term {status['term']}), "
              f"share of one core; second half of the window in brackets")
        print()
        print("| node | role | CPU s | share | (second half) |")
        print("|---|---|---|---|---|")
        for i in range(3):
            role = "leader" if i == leader else "follower"
            share = (after[i] - before[i]) / (end - start)
            late = (after[i] - middle[i]) / (end - mid)
            print(f"| {i} | {role} | {after[i] - before[i]:.2f} | {share * 100:.2f}% | ({late * 100:.2f}%) |")
        followers = [(after[i] - before[i]) / (end - start) for i in range(3) if i != leader]
        print()
        print(f"leader {(after[leader] - before[leader]) / (end - start) * 100:.2f}% of a core, followers "
              + ", ".join(f"{f * 100:.2f}%" for f in followers)
              + ("" if still == leader else f"; the leader changed during the window (now node {still})"))
        return 0
    finally:
        cluster.stop(grace=5)
        shutil.rmtree(work, ignore_errors=True)


def timed(command, cwd):
    """(wall seconds, CPU seconds of the child) of one run of command; exits if it fails."""
    before = os.times()
    start = time.monotonic()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = os.times()
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def cli(args):
    work = tempfile.mkdtemp(prefix="rrmq-cli-startup.")
    cluster = Cluster(3, 0, work, ports=free_ports(3))
    builds = {"this": os.path.abspath("rrmq")}
    if args.baseline:
        builds["baseline"] = os.path.join(os.path.abspath(args.baseline), "rrmq")
    commands = {"--help": ["--help"], "topics": ["topics"]}
    figures = {(b, c): [] for b in builds for c in commands}  # (wall, cpu) per run
    try:
        for i in range(3):
            cluster.start(i)
        if wait_for(lambda: current_leader(cluster), 20) is None:
            print("no leader within 20 s", file=sys.stderr)
            return 1
        timed([builds["this"], "create-topic", "bench"], work)
        busy, own, start = busy_cpu_seconds(), own_cpu_seconds([]), time.monotonic()
        names = list(builds)
        for n in range(args.runs):
            order = names if n % 2 == 0 else names[::-1]  # ABBA
            for build in order:
                for name, rest in commands.items():
                    figures[(build, name)].append(timed([builds[build]] + rest, work))
        mine = [p.pid for p in cluster.procs if p is not None and p.poll() is None]
        others = (busy_cpu_seconds() - busy - (own_cpu_seconds(mine) - own)) / (time.monotonic() - start)
        print(f"./rrmq against a 3-node cluster on loopback, {args.runs} runs per build and command, "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; CPU used by other processes "
              f"meanwhile {max(0.0, others):.2f} cores")
        print()
        print("| build | command | wall median s | wall max s | CPU median s |")
        print("|---|---|---|---|---|")
        for (build, name), runs in figures.items():
            walls = [w for w, _ in runs]
            cpus = [c for _, c in runs]
            print(f"| {build} | {name} | {statistics.median(walls):.3f} | {max(walls):.3f} "
                  f"| {statistics.median(cpus):.3f} |")
        if "baseline" in builds:
            print()
            print("paired ratios this/baseline, median [min..max]:")
            for name in commands:
                for index, what in ((0, "wall"), (1, "CPU")):
                    ratios = [a[index] / b[index] for a, b in zip(figures[("this", name)], figures[("baseline", name)])
                              if b[index] > 0]
                    print(f"  {name} {what}: {statistics.median(ratios):.2f} [{min(ratios):.2f}..{max(ratios):.2f}]")
        return 0
    finally:
        cluster.stop(grace=5)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="runs per condition (default 20)")
    ap.add_argument("--nodes", type=int, default=5)
    ap.add_argument("--limit", type=float, default=5.0, help="seconds a node may take to answer (default 5)")
    ap.add_argument("--json", action="store_true", help="print the raw figures as one JSON object")
    ap.add_argument("--together", action="store_true",
                    help="spawn all nodes back to back instead of each after the previous one answered")
    ap.add_argument("--idle", type=float, nargs="?", const=30.0, metavar="SECONDS",
                    help="instead: idle CPU of a 3-node cluster over SECONDS (default 30)")
    ap.add_argument("--cli", action="store_true",
                    help="instead: time ./rrmq --help and ./rrmq topics against a running 3-node cluster")
    ap.add_argument("--baseline", metavar="DIR",
                    help="with --cli: also run DIR/rrmq (another build), alternating with this one")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join("rrmq-server", "target", "rrmq-server.jar")):
        sys.exit("missing rrmq-server/target/rrmq-server.jar: run 'mvn -q -B package -DskipTests' first")
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop the nodes and the hogs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        code = cli(args) if args.cli else idle(args) if args.idle is not None else startup(args)
    except KeyboardInterrupt:  # the finally blocks have stopped what this run started
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
