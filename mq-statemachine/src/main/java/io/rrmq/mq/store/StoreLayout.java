package io.rrmq.mq.store;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a {@link SegmentedMessageStore}'s live records were when a {@link MessageStore.Pin} was
 * taken: per chain its end and its segments, each with the bytes that hold records and how many of
 * them are live. With the segment files frozen as they were then (segments are append-only: a
 * byte below a segment's {@code end} never changes), this is everything needed to open the same
 * store again (a checkpoint, {@link FileStores}).
 *
 * @param chains every chain, with or without segments
 */
public record StoreLayout(List<ChainLayout> chains) {
    public StoreLayout {
        chains = List.copyOf(chains);
    }

    /**
     * @param chain    the chain's number
     * @param end      the position the next record will have
     * @param tailBase the base of the segment appends go to, or -1 if none (the next append starts one)
     * @param segments the segments that hold live records, and the tail, oldest first
     */
    public record ChainLayout(int chain, long end, long tailBase, List<SegmentLayout> segments) {
        public ChainLayout {
            segments = List.copyOf(segments);
        }
    }

    /**
     * @param base the chain position of its first byte
     * @param end  the chain position after its last record; bytes after it are not records
     * @param live how many of its records are live
     * @param file its file, or {@code null} for a segment on the heap
     */
    public record SegmentLayout(long base, long end, long live, Path file) {
    }
}
