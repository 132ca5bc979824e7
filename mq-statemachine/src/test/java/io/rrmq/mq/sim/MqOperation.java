package io.rrmq.mq.sim;

import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.raft.testkit.Proposal;

/**
 * One client request of the queue history and what the client learned of it.
 *
 * @param client    who sent it (clients send one request at a time)
 * @param command   what was asked
 * @param proposal  where the engine appended it
 * @param outcome   what the client was told
 * @param result    the state machine's answer, if acknowledged; else {@code null}
 * @param afterHeal whether it was sent after the faults stopped
 */
record MqOperation(int client, MqCommand command, Proposal proposal, Outcome outcome, MqResult result,
                   boolean afterHeal) {
    enum Outcome { ACKNOWLEDGED, UNKNOWN }
}
