package io.rrmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.RaftConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowSettingsTest {
    private static final String[] NAMES = {"rrmq.raft.batch", "rrmq.raft.inflight", "rrmq.raft.pending"};

    @AfterEach
    void clearProperties() {
        for (String name : NAMES) {
            System.clearProperty(name);
        }
    }

    @Test
    void unsetPropertiesKeepTheEngineDefaults() throws ConfigException {
        RaftConfig defaults = RaftConfig.defaults();
        assertThat(FlowSettings.fromSystemProperties().applyTo(defaults)).isEqualTo(defaults);
    }

    @Test
    void setPropertiesReachTheRaftConfig() throws ConfigException {
        System.setProperty("rrmq.raft.batch", "64");
        System.setProperty("rrmq.raft.inflight", " 1 ");
        System.setProperty("rrmq.raft.pending", "500");
        RaftConfig config = FlowSettings.fromSystemProperties().applyTo(RaftConfig.defaults());
        assertThat(config.maxEntriesPerMessage()).isEqualTo(64);
        assertThat(config.maxInflightMessages()).isEqualTo(1);
        assertThat(config.maxPendingProposals()).isEqualTo(500);
        assertThat(config.maxBytesPerMessage()).isEqualTo(RaftConfig.defaults().maxBytesPerMessage());
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        System.setProperty("rrmq.raft.inflight", "0");
        assertThatThrownBy(FlowSettings::fromSystemProperties).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rrmq.raft.inflight must be at least 1");
        System.setProperty("rrmq.raft.inflight", "many");
        assertThatThrownBy(FlowSettings::fromSystemProperties).isInstanceOf(ConfigException.class)
                .hasMessageContaining("whole number");
        System.setProperty("rrmq.raft.inflight", "3000000000");
        assertThatThrownBy(FlowSettings::fromSystemProperties).isInstanceOf(ConfigException.class)
                .hasMessageContaining("at most");
    }
}
