package io.rrmq.mq.store;

/**
 * Makes the empty {@link MessageStore} a machine starts with, and the one it restores a snapshot
 * into (the old one is then {@linkplain MessageStore#discard discarded}). Called on the applying
 * thread.
 */
@FunctionalInterface
public interface MessageStores {
    /** A new, empty store. */
    MessageStore create();

    /** Stores on the heap ({@link SegmentedMessageStore#inMemory}). */
    static MessageStores memory() {
        return () -> SegmentedMessageStore.inMemory(SegmentedMessageStore.MEMORY_SEGMENT_BYTES);
    }
}
