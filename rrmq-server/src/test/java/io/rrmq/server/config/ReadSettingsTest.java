package io.rrmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.RaftConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadSettingsTest {
    @AfterEach
    void clearProperties() {
        System.clearProperty("rrmq.raft.lease");
        System.clearProperty("rrmq.raft.lease.margin");
    }

    @Test
    void leaseReadsAreOffUnlessAskedFor() throws ConfigException {
        RaftConfig defaults = RaftConfig.defaults();
        assertThat(ReadSettings.fromSystemProperties().applyTo(defaults)).isEqualTo(defaults);
        System.setProperty("rrmq.raft.lease", "false");
        assertThat(ReadSettings.fromSystemProperties().applyTo(defaults).leaseReads()).isFalse();
    }

    @Test
    void leaseReadsWithTheirMarginReachTheRaftConfig() throws ConfigException {
        System.setProperty("rrmq.raft.lease", "true");
        RaftConfig config = ReadSettings.fromSystemProperties().applyTo(RaftConfig.defaults());
        assertThat(config.leaseReads()).isTrue();
        assertThat(config.leaseDuration()).isEqualTo(Duration.ofMillis(100)); // 150 ms timeout - 50 ms margin

        System.setProperty("rrmq.raft.lease.margin", "10");
        assertThat(ReadSettings.fromSystemProperties().applyTo(RaftConfig.defaults()).leaseDuration())
                .isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        System.setProperty("rrmq.raft.lease", "yes");
        assertThatThrownBy(ReadSettings::fromSystemProperties).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rrmq.raft.lease must be true or false");
        System.setProperty("rrmq.raft.lease", "true");
        System.setProperty("rrmq.raft.lease.margin", "0");
        assertThatThrownBy(ReadSettings::fromSystemProperties).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rrmq.raft.lease.margin must be at least 1");
        System.setProperty("rrmq.raft.lease.margin", "15");
        assertThatThrownBy(() -> ReadSettings.fromSystemProperties().applyTo(RaftConfig.defaults()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("below the election timeout");
    }
}
