package io.rrmq.mq;

/**
 * A live delivery: a message handed out by a receive, invisible until acked, nacked or expired.
 *
 * @param receipt    what the consumer names it by
 * @param topic      where the message lives
 * @param seq        the message's place in its topic ({@link TopicQueue})
 * @param chain      the store chain holding the body
 * @param position   the body's position in that chain
 * @param length     the body's length in bytes (UTF-8)
 * @param deliveries how many times the message has been handed out, this one included
 * @param deadline   state-machine time (millis) at which it expires
 * @param order      a counter of deliveries, to order those with the same deadline
 */
record InFlight(String receipt, String topic, long seq, int chain, long position, int length, int deliveries,
                long deadline, long order) implements Comparable<InFlight> {

    /** By deadline, then by order: the order in which deliveries expire, the same on every node. */
    @Override
    public int compareTo(InFlight other) {
        int byDeadline = Long.compare(deadline, other.deadline);
        return byDeadline != 0 ? byDeadline : Long.compare(order, other.order);
    }
}
