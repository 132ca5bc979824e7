package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The election-safety checker must flag two leaders in one term and accept everything else. */
class LeaderObserverTest {
    @TempDir
    Path work;

    private static String status(String role, long term, int id) {
        return "{\"role\":\"" + role + "\",\"term\":" + term + ",\"id\":" + id + ",\"leader\":null}";
    }

    @Test
    void flagsTwoLeadersInOneTermOnly() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.create(3, work, "LeaderObserverTest");
             LeaderObserver observer = LeaderObserver.start(cluster)) {
            observer.record(status("Leader", 2, 0));
            observer.record(status("Leader", 2, 0));
            observer.record(status("Follower", 2, 1));
            observer.record(status("Leader", 3, 1));
            observer.record(status("Candidate", 4, 2));
            assertThat(observer.violations()).isEmpty();
            assertThat(observer.termsWithLeader()).isEqualTo(2);

            observer.record(status("Leader", 3, 2));
            assertThat(observer.violations()).containsExactly("term 3: leaders [1, 2]");
        }
    }
}
