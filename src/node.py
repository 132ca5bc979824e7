#!/usr/bin/env python3
"""Start one RRMQ node: python3 src/node.py CONFIG_PATH INDEX [--data-dir DIR].

Replaces itself (exec) with the Java server, so that a signal sent to this PID reaches the node
and no server outlives it. Standard library only. Build the jar first:
    mvn -q -B package -DskipTests
Environment: RRMQ_JAVA (java executable, default: java on PATH, then $JAVA_HOME/bin/java),
RRMQ_JVM_OPTS (extra JVM flags, appended), RRMQ_DATA_DIR (the server reads it: data root).
"""
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "rrmq-server", "target", "rrmq-server.jar")
# A class-data-sharing archive written by the build (rrmq-server's package phase); it saves a few
# hundred milliseconds of class loading at start-up. Used only when it is newer than the jar.
CDS_ARCHIVE = os.path.join(ROOT, "rrmq-server", "target", "rrmq-server.jsa")

# A small node: the serial collector keeps memory low and pauses short at this heap size (G1 was
# slower and larger here, see BENCHMARKS.md); no JIT tiers are disabled, so throughput is not traded
# for start-up. A fixed 32 MiB young generation and lower heap free ratios keep the heap close to
# what is live (queued messages, the log's tail) instead of growing a third of it as nursery.
JVM_FLAGS = [
    "-XX:+UseSerialGC",
    "-Xms64m",
    "-Xmx256m",
    "-Xmn32m",
    "-XX:MinHeapFreeRatio=20",
    "-XX:MaxHeapFreeRatio=40",
    "-Xss512k",
    "-XX:+ExitOnOutOfMemoryError",
    # No hsperfdata: its sampler woke every node 20 times a second at idle (jps/jstat lose sight of
    # the node; jcmd and Flight Recorder still work).
    "-XX:-UsePerfData",
    "-Dfile.encoding=UTF-8",
]
# The JIT's and the JDK's native allocations are freed to glibc but kept by it: returning them every
# few seconds, and fewer malloc arenas, took 20-30 MiB off a loaded node's RSS. The trim flag came
# with JDK 22 and was backported to 17.0.9 and 21.0.1 as an experimental flag (JDK-8293114), made a
# product flag later (JDK-8325496); unlocking experimental flags covers both, and a JVM without it
# (18-20, or older updates) is started without it rather than refusing to start.
TRIM_NATIVE_HEAP = ["-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=5000"]
MALLOC_ARENAS = "2"


def java_executable():
    explicit = os.environ.get("RRMQ_JAVA")
    if explicit:
        return explicit
    on_path = shutil.which("java")
    if on_path:
        return on_path
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    sys.exit("rrmq: no java found (install a JDK 17, or set RRMQ_JAVA or JAVA_HOME)")


def java_version(java):
    """(feature, update) of the JDK that java belongs to, read from its release file; None if unknown."""
    try:
        home = os.path.dirname(os.path.dirname(os.path.realpath(java)))
        with open(os.path.join(home, "release"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("JAVA_VERSION="):
                    parts = line.split("=", 1)[1].strip().strip('"').split(".")
                    return int(parts[0]), int(parts[2]) if len(parts) > 2 else 0
    except (OSError, ValueError, IndexError):
        pass
    return None


def memory_flags(java):
    version = java_version(java)
    if version and (version >= (21, 1) or (17, 9) <= version < (18, 0)):
        return TRIM_NATIVE_HEAP
    return []


def cds_flags():
    try:
        if os.path.getmtime(CDS_ARCHIVE) >= os.path.getmtime(JAR):
            # -Xshare:auto: if the archive does not fit this JVM, run without it rather than fail.
            return ["-XX:SharedArchiveFile=" + CDS_ARCHIVE, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
    except OSError:
        pass
    return []


def main(argv):
    if not os.path.isfile(JAR):
        sys.exit("rrmq: the server jar is not built yet (%s is missing).\n"
                 "Build it from the repository root with:  mvn -q -B package -DskipTests"
                 % os.path.relpath(JAR))
    java = java_executable()
    extra = os.environ.get("RRMQ_JVM_OPTS", "").split()
    command = [java] + JVM_FLAGS + memory_flags(java) + cds_flags() + extra + ["-jar", JAR] + argv[1:]
    os.environ.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    os.execv(java, command)


if __name__ == "__main__":
    main(sys.argv)
