package io.rrmq.mq;

/** A command of the message queue, replicated through the Raft log. */
public sealed interface MqCommand
        permits MqCommand.CreateTopic, MqCommand.PutMessage, MqCommand.PopMessage, MqCommand.ListTopics {

    /** Creates an empty topic; fails with {@link MqResult.Outcome#TOPIC_EXISTS} if it exists. */
    record CreateTopic(String topic) implements MqCommand {
    }

    /** Appends a message to a topic's queue. */
    record PutMessage(String topic, String message) implements MqCommand {
    }

    /** Removes and returns the oldest message of a topic. */
    record PopMessage(String topic) implements MqCommand {
    }

    /** Reads the topics in creation order; changes nothing (replicated for linearizability). */
    record ListTopics() implements MqCommand {
    }
}
