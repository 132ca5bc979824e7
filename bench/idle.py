#!/usr/bin/env python3
"""Idle CPU of a 3-node RRMQ cluster: % of a core per node once the JIT has settled, leader apart.

    python3 bench/idle.py [--a DIR] [--settle 20] [--seconds 30] [--threads]
    python3 bench/idle.py --a /tmp/rrmq-before --b . [--rounds 4] [--threads]

One build (--a, default this checkout): a 3-node cluster started with DIR's src/node.py, a leader
elected, --settle seconds left alone (JIT warm-up, the first elections' traffic), then each node's CPU
time (utime + stime from /proc/PID/stat) over --seconds of no requests, as a share of one core. With
--threads, the same per thread (/proc/PID/task/*/stat, named by their comm), summed over the nodes of
one role, so that the leader's heartbeat sender and a follower's receiver show apart.

Two builds (--a and --b): both clusters up at once on loopback, measured in alternating slots (A B B
A ...) of --seconds each, so that the machine's drift hits both alike; prints each slot, then the
median B/A ratio of the per-node mean over the rounds with its [min..max], and per build the median
leader and follower shares. The load of the machine (1-minute load average, and the CPU the rest of
the machine used in the slots) is printed too: other processes steal wake-ups and make a node's
timers late, which changes what it costs.

A and B are repository roots whose jars are built (mvn -q -B package -DskipTests), or copies holding
src/node.py and rrmq-server/target/. Stdlib only; it stops only the nodes it spawned.
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

from ab import RootCluster
from failover import current_leader, wait_for

TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """{thread name: CPU seconds} of one process; threads of one pool (a trailing number) are summed."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        # comm is between the first "(" and the last ")"; it may hold spaces and parentheses.
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 1:].split()
        name = re.sub(r"[-#]?\d+$", "", name.strip()) or name
        out[(name, tid)] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def by_name(before, after):
    """CPU seconds per thread name between two thread_cpu() readings (a thread born meanwhile counts whole)."""
    out = {}
    for key, seconds in after.items():
        out[key[0]] = out.get(key[0], 0.0) + seconds - before.get(key, 0.0)
    return out


def machine_busy():
    """Busy jiffies of the whole machine (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


def measure(cluster, seconds, threads):
    """One slot: {"nodes": [% per node], "leader": index, "threads": {role: {name: %}}, "others": %}."""
    found = current_leader(cluster)
    leader = found[0] if found else -1
    pids = [p.pid for p in cluster.procs]
    t0, cpu0, busy0 = time.monotonic(), cluster.cpu_seconds(), machine_busy()
    tasks0 = [thread_cpu(pid) for pid in pids] if threads else None
    time.sleep(seconds)
    t1, cpu1, busy1 = time.monotonic(), cluster.cpu_seconds(), machine_busy()
    tasks1 = [thread_cpu(pid) for pid in pids] if threads else None
    elapsed = t1 - t0
    nodes = [(b - a) / elapsed * 100 for a, b in zip(cpu0, cpu1)]
    found = current_leader(cluster)
    if not found or found[0] != leader:
        leader = -1  # the leader changed in the window: its role split means nothing
    per_role = {}
    if threads:
        for i in range(len(pids)):
            role = "leader" if i == leader else "follower"
            for name, seconds_used in by_name(tasks0[i], tasks1[i]).items():
                roles = per_role.setdefault(role, {})
                roles[name] = roles.get(name, 0.0) + seconds_used / elapsed * 100
        followers = sum(1 for i in range(len(pids)) if i != leader)
        for name in per_role.get("follower", {}):
            per_role["follower"][name] /= max(1, followers)  # per follower, like the leader's
    others = ((busy1 - busy0) - sum(b - a for a, b in zip(cpu0, cpu1))) / elapsed * 100
    return {"nodes": nodes, "leader": leader, "threads": per_role, "others": others}


def role_split(slot):
    leader = slot["leader"]
    followers = [v for i, v in enumerate(slot["nodes"]) if i != leader]
    return (slot["nodes"][leader] if leader >= 0 else float("nan")), statistics.mean(followers)


def describe(name, slot):
    lead, follow = role_split(slot)
    nodes = ", ".join(f"{v:.2f}" for v in slot["nodes"])
    return (f"{name}: nodes [{nodes}] % of a core; leader {lead:.2f}, followers {follow:.2f}"
            f" (leader node {slot['leader']}); rest of the machine {slot['others']:.0f}%")


def print_threads(title, slots, top):
    """Median per thread name and role over the slots, biggest first."""
    print(f"\nper thread, {title} (% of a core, median over {len(slots)} slot(s); followers: per follower)")
    for role in ("leader", "follower"):
        names = sorted({n for s in slots for n in s["threads"].get(role, {})})
        rows = [(statistics.median(s["threads"].get(role, {}).get(n, 0.0) for s in slots), n) for n in names]
        rows.sort(reverse=True)
        shown = [(v, n) for v, n in rows[:top] if v >= 0.005]
        print(f"  {role}: total {sum(v for v, _ in rows):.2f}; "
              + ", ".join(f"{n} {v:.2f}" for v, n in shown))


def start(name, root, ports, start_timeout):
    work = tempfile.mkdtemp(prefix=f"rrmq-idle-{name.lower()}.")
    cluster = RootCluster(root, ports, work)
    for i in range(3):
        cluster.start(i)
    return cluster, work


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", default=".", help="repository root of build A (default: this one)")
    ap.add_argument("--b", help="repository root of build B: compare A and B in alternating slots")
    ap.add_argument("--settle", type=float, default=20, help="seconds left alone after the leader is elected")
    ap.add_argument("--seconds", type=float, default=30, help="length of one measured slot")
    ap.add_argument("--rounds", type=int, default=4, help="with --b: slots per build (A B B A ...)")
    ap.add_argument("--threads", action="store_true", help="a per-thread breakdown too")
    ap.add_argument("--top", type=int, default=12, help="with --threads: the biggest N thread names per role")
    ap.add_argument("--base-port", type=int, default=31567)
    ap.add_argument("--start-timeout", type=int, default=60)
    args = ap.parse_args()
    builds = {"A": args.a} if args.b is None else {"A": args.a, "B": args.b}
    for root in builds.values():
        if not os.path.isfile(os.path.join(root, "rrmq-server", "target", "rrmq-server.jar")):
            sys.exit(f"{root}: rrmq-server jar not built (mvn -q -B package -DskipTests there)")

    clusters, works = {}, []
    try:
        for k, (name, root) in enumerate(builds.items()):
            cluster, work = start(name, root, [args.base_port + 10 * k + i for i in range(3)], args.start_timeout)
            clusters[name] = cluster
            works.append(work)
        for name, c in clusters.items():
            if wait_for(lambda: current_leader(c), args.start_timeout) is None:
                sys.exit(f"cluster {name}: no leader within {args.start_timeout} s")
        print(f"settling {args.settle:.0f} s; load average {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
        time.sleep(args.settle)
        slots = {name: [] for name in clusters}
        rounds = 1 if args.b is None else args.rounds
        for r in range(rounds):
            order = ["A", "B"] if r % 2 == 0 else ["B", "A"]
            for name in (n for n in order if n in clusters):
                slot = measure(clusters[name], args.seconds, args.threads)
                slots[name].append(slot)
                print(f"round {r + 1} {describe(name, slot)}; load average {os.getloadavg()[0]:.2f}",
                      file=sys.stderr, flush=True)
        print(f"\nidle CPU, % of one core per node over {args.seconds:.0f} s slots after {args.settle:.0f} s"
              f" of settling; load average at the end {os.getloadavg()[0]:.2f}")
        print("| build | per node (mean of 3) | leader | followers (each) | rest of the machine |")
        print("|---|---|---|---|---|")
        for name, build_slots in slots.items():
            splits = [role_split(s) for s in build_slots]
            leaders = [lead for lead, _ in splits if lead == lead]
            print(f"| {name} ({builds[name]}) | {statistics.median(statistics.mean(s['nodes']) for s in build_slots):.2f}"
                  f" | {statistics.median(leaders) if leaders else float('nan'):.2f}"
                  f" | {statistics.median(f for _, f in splits):.2f}"
                  f" | {statistics.median(s['others'] for s in build_slots):.0f}% |")
        if args.b is not None:
            ratios = [statistics.mean(b["nodes"]) / statistics.mean(a["nodes"])
                      for a, b in zip(slots["A"], slots["B"]) if statistics.mean(a["nodes"]) > 0]
            if ratios:
                print(f"\nB/A per-node idle CPU, median of {len(ratios)} paired rounds: "
                      f"{statistics.median(ratios):.3f} [{min(ratios):.3f}..{max(ratios):.3f}]")
        if args.threads:
            for name, build_slots in slots.items():
                print_threads(f"build {name}", build_slots, args.top)
    finally:
        for c in clusters.values():
            c.stop()
        for w in works:
            shutil.rmtree(w, ignore_errors=True)


if __name__ == "__main__":
    main()
