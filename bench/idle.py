#!/usr/bin/env python3
"""Idle CPU of a 3-node RRMQ cluster: % of a core per node once the JIT has settled, leader apart.

    python3 bench/idle.py [--a DIR] [--settle 20] [--seconds 30] [--threads]
    python3 bench/idle.py --a /tmp/rrmq-before --b . [--rounds 4] [--threads]

One build (--a, default this checkout): a 3-node cluster started with DIR's src/node.py, a leader
elected, --settle seconds left alone (JIT warm-up, the first elections' traffic), then each node's CPU
time (utime + stime from /proc/PID/stat) over --seconds of no requests, as a share of one core, also
without the JIT compiler threads (at idle the JIT goes on compiling for minutes: the idle paths reach
its thresholds slowly), and its wake-ups per second (voluntary context switches of all its threads:
unlike CPU time, they barely depend on how loaded the machine is). With --threads, the same per thread
(/proc/PID/task/*/stat and status, named by their comm) for the leader and per follower, so that the
leader's heartbeat senders and a follower's receiver show apart.

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
    """{(thread name, tid): (CPU seconds, wake-ups)} of one process. A thread's name loses a trailing
    number, so that the threads of one pool add up; wake-ups are its voluntary context switches (each
    time it slept and was woken: what an idle node costs besides the work itself)."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                switches = next((int(line.split()[1]) for line in f if line.startswith("voluntary_ctxt_switches")), 0)
        except OSError:  # the thread ended meanwhile
            continue
        # comm is between the first "(" and the last ")"; it may hold spaces and parentheses.
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 1:].split()
        name = re.sub(r"[-#]?\d+$", "", name.strip()) or name
        out[(name, tid)] = ((int(fields[11]) + int(fields[12])) / TICK, switches)
    return out


def by_name(before, after):
    """{thread name: (CPU seconds, wake-ups)} between two thread_cpu() readings (a thread born meanwhile counts whole)."""
    out = {}
    for key, (seconds, wakes) in after.items():
        s0, w0 = before.get(key, (0.0, 0))
        cpu, woke = out.get(key[0], (0.0, 0))
        out[key[0]] = (cpu + seconds - s0, woke + wakes - w0)
    return out


def is_jit(name):
    return "Compiler" in name


def machine_busy():
    """Busy jiffies of the whole machine (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


def measure(cluster, seconds):
    """One slot: {"nodes": [% per node], "wakeups": [per s per node], "jit": [% per node], "leader": index,
    "threads": {role: {name: (%, wake-ups/s)}}, "others": %}."""
    found = current_leader(cluster)
    leader = found[0] if found else -1
    pids = [p.pid for p in cluster.procs]
    t0, cpu0, busy0 = time.monotonic(), cluster.cpu_seconds(), machine_busy()
    tasks0 = [thread_cpu(pid) for pid in pids]
    time.sleep(seconds)
    t1, cpu1, busy1 = time.monotonic(), cluster.cpu_seconds(), machine_busy()
    tasks1 = [thread_cpu(pid) for pid in pids]
    elapsed = t1 - t0
    nodes = [(b - a) / elapsed * 100 for a, b in zip(cpu0, cpu1)]
    found = current_leader(cluster)
    if not found or found[0] != leader:
        leader = -1  # the leader changed in the window: its role split means nothing
    per_role, wakeups, jit = {}, [], []
    for i in range(len(pids)):
        threads = by_name(tasks0[i], tasks1[i])
        wakeups.append(sum(w for _, w in threads.values()) / elapsed)
        jit.append(sum(c for n, (c, _) in threads.items() if is_jit(n)) / elapsed * 100)
        if leader < 0:
            continue
        role = per_role.setdefault("leader" if i == leader else "follower", {})
        share = 1 if i == leader else 0.5  # followers: per follower, like the leader's
        for name, (cpu, woke) in threads.items():
            c, w = role.get(name, (0.0, 0.0))
            role[name] = (c + cpu / elapsed * 100 * share, w + woke / elapsed * share)
    others = ((busy1 - busy0) - sum(b - a for a, b in zip(cpu0, cpu1))) / elapsed * 100
    return {"nodes": nodes, "wakeups": wakeups, "jit": jit, "leader": leader, "threads": per_role, "others": others}


def role_split(slot, key="nodes"):
    """(the leader's value, the followers' mean) of one per-node series; the leader's is nan if it changed."""
    leader = slot["leader"]
    values = slot[key]
    followers = [v for i, v in enumerate(values) if i != leader]
    return (values[leader] if leader >= 0 else float("nan")), statistics.mean(followers)


def describe(name, slot):
    lead, follow = role_split(slot)
    nodes = ", ".join(f"{v:.2f}" for v in slot["nodes"])
    wakes = ", ".join(f"{v:.0f}" for v in slot["wakeups"])
    jit = ", ".join(f"{v:.2f}" for v in slot["jit"])
    return (f"{name}: nodes [{nodes}] % of a core (JIT compiler threads [{jit}]), wake-ups/s [{wakes}];"
            f" leader {lead:.2f}, followers {follow:.2f} (leader node {slot['leader']});"
            f" rest of the machine {slot['others']:.0f}%")


def print_threads(title, slots, top):
    """Median per thread name and role over the slots whose leader stayed, biggest first."""
    slots = [s for s in slots if s["leader"] >= 0]
    print(f"\nper thread, {title} (% of a core / wake-ups per s, median over {len(slots)} slot(s) with one leader"
          f" throughout; followers: per follower)")
    for role in ("leader", "follower"):
        names = sorted({n for s in slots for n in s["threads"].get(role, {})})
        rows = []
        for n in names:
            values = [s["threads"].get(role, {}).get(n, (0.0, 0.0)) for s in slots]
            rows.append((statistics.median(c for c, _ in values), statistics.median(w for _, w in values), n))
        rows.sort(reverse=True)
        shown = [(c, w, n) for c, w, n in rows[:top] if c >= 0.005 or w >= 0.5]
        print(f"  {role}: total {sum(c for c, _, _ in rows):.2f}% {sum(w for _, w, _ in rows):.0f}/s; "
              + ", ".join(f"{n} {c:.2f}% {w:.0f}/s" for c, w, n in shown))


def start(name, root, ports):
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
            cluster, work = start(name, root, [args.base_port + 10 * k + i for i in range(3)])
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
                slot = measure(clusters[name], args.seconds)
                slots[name].append(slot)
                print(f"round {r + 1} {describe(name, slot)}; load average {os.getloadavg()[0]:.2f}",
                      file=sys.stderr, flush=True)
        print(f"\nidle CPU, % of one core per node over {args.seconds:.0f} s slots after {args.settle:.0f} s"
              f" of settling; load average at the end {os.getloadavg()[0]:.2f}")
        print("| build | per node (mean of 3) | leader | followers (each) | without JIT threads, leader / followers"
              " | wake-ups/s, leader / followers | rest of the machine |")
        print("|---|---|---|---|---|---|---|")
        for name, build_slots in slots.items():
            def med(key, pick):
                values = [v for v in (pick(role_split(s, key)) for s in build_slots) if v == v]
                return statistics.median(values) if values else float("nan")
            for s in build_slots:
                s["nojit"] = [c - j for c, j in zip(s["nodes"], s["jit"])]
            print(f"| {name} ({builds[name]}) | {statistics.median(statistics.mean(s['nodes']) for s in build_slots):.2f}"
                  f" | {med('nodes', lambda x: x[0]):.2f} | {med('nodes', lambda x: x[1]):.2f}"
                  f" | {med('nojit', lambda x: x[0]):.2f} / {med('nojit', lambda x: x[1]):.2f}"
                  f" | {med('wakeups', lambda x: x[0]):.0f} / {med('wakeups', lambda x: x[1]):.0f}"
                  f" | {statistics.median(s['others'] for s in build_slots):.0f}% |")
        if args.b is not None:
            for key, what in (("nodes", "idle CPU"), ("wakeups", "wake-ups")):
                ratios = [statistics.mean(b[key]) / statistics.mean(a[key])
                          for a, b in zip(slots["A"], slots["B"]) if statistics.mean(a[key]) > 0]
                if ratios:
                    print(f"\nB/A per-node {what}, median of {len(ratios)} paired rounds: "
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
