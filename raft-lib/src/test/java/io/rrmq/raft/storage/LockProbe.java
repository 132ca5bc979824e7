package io.rrmq.raft.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Tries to open a storage directory from a separate JVM, to show the lock holds across processes. */
public final class LockProbe {
    static final int OPENED = 0;
    static final int LOCKED = 3;

    private LockProbe() {
    }

    public static void main(String[] args) {
        try {
            FileRaftStorage.open(Path.of(args[0])).close();
            System.exit(OPENED);
        } catch (IOException e) {
            System.err.println(e.getMessage());
            System.exit(LOCKED);
        }
    }

    /** Runs {@link #main} in a new JVM on {@code directory} and returns its exit code. */
    static int runInNewJvm(Path directory) throws IOException, InterruptedException {
        // Surefire puts the real test class path here; java.class.path may be a manifest-only jar.
        // raft-lib is a module, so its own classes are on the module path: the probe needs both.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                + java.io.File.pathSeparator + System.getProperty("jdk.module.path", "");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", classPath, LockProbe.class.getName(),
                directory.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("lock probe did not finish");
        }
        int exit = process.exitValue();
        if (exit != OPENED && exit != LOCKED) {
            throw new IllegalStateException("lock probe failed with exit code " + exit + ": " + output);
        }
        return process.exitValue();
    }
}
