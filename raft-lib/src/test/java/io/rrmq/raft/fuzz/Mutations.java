package io.rrmq.raft.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Hostile inputs for the parsers that read bytes from outside: valid encodings damaged by a few
 * random edits (the inputs that get deepest into a parser), and plain random bytes.
 *
 * <p>An edit is a value (bit flip, byte or 32-bit overwrite, truncation, insertion, deletion,
 * duplication of a range, splice with another valid input), so jqwik can shrink a failing input to
 * the fewest, smallest edits, and prints them with the seed. 32-bit overwrites favour the values
 * that break length-prefixed formats: 0, -1, {@code Integer.MIN_VALUE}, {@code Integer.MAX_VALUE},
 * 1 GiB, and small lengths one past what is there.
 */
public final class Mutations {
    private Mutations() {
    }

    /** One damage done to an input. Positions are taken modulo the input's size, so any int fits. */
    public sealed interface Edit {
        byte[] applyTo(byte[] input, byte[] donor);
    }

    public record FlipBit(int position, int bit) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            if (input.length == 0) {
                return input;
            }
            byte[] out = input.clone();
            out[at(position, out.length)] ^= (byte) (1 << (bit & 7));
            return out;
        }
    }

    public record SetByte(int position, byte value) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            if (input.length == 0) {
                return input;
            }
            byte[] out = input.clone();
            out[at(position, out.length)] = value;
            return out;
        }
    }

    /** Overwrites 4 bytes, big-endian, where a length or count field could be. */
    public record SetInt(int position, int value) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            if (input.length < 4) {
                return input;
            }
            byte[] out = input.clone();
            ByteBuffer.wrap(out).putInt(at(position, out.length - 3), value);
            return out;
        }
    }

    public record Truncate(int length) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            return Arrays.copyOf(input, at(length, input.length + 1));
        }
    }

    public record Insert(int position, byte[] bytes) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            int p = at(position, input.length + 1);
            return concat(Arrays.copyOf(input, p), bytes, Arrays.copyOfRange(input, p, input.length));
        }

        @Override
        public String toString() {
            return "Insert[position=" + position + ", bytes=" + Arrays.toString(bytes) + "]";
        }
    }

    public record Delete(int position, int length) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            int p = at(position, input.length + 1);
            int end = Math.min(input.length, p + Math.abs(length % 64));
            return concat(Arrays.copyOf(input, p), Arrays.copyOfRange(input, end, input.length));
        }
    }

    /** Repeats a range right after itself, as a replayed or doubled write would. */
    public record Duplicate(int position, int length) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            int p = at(position, input.length + 1);
            int end = Math.min(input.length, p + Math.abs(length % 64));
            return concat(Arrays.copyOf(input, end), Arrays.copyOfRange(input, p, end),
                    Arrays.copyOfRange(input, end, input.length));
        }
    }

    /** This input's head, then another valid input's tail. */
    public record Splice(int position, int donorPosition) implements Edit {
        @Override
        public byte[] applyTo(byte[] input, byte[] donor) {
            return concat(Arrays.copyOf(input, at(position, input.length + 1)),
                    Arrays.copyOfRange(donor, at(donorPosition, donor.length + 1), donor.length));
        }
    }

    /** Values that break length and count fields. */
    public static Arbitrary<Integer> interestingInts() {
        return Arbitraries.oneOf(
                Arbitraries.of(0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE - 8,
                        1 << 30, (1 << 30) - 1, 0xFFFF, 0x10000, 0x8000),
                Arbitraries.integers().between(2, 300),
                Arbitraries.integers());
    }

    @SuppressWarnings("unchecked")
    public static Arbitrary<Edit> edits() {
        Arbitrary<Integer> position = Arbitraries.integers().greaterOrEqual(0);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(position, Arbitraries.integers().between(0, 7)).as(FlipBit::new)),
                Tuple.of(2, Combinators.combine(position, Arbitraries.bytes()).as(SetByte::new)),
                Tuple.of(3, Combinators.combine(position, interestingInts()).as(SetInt::new)),
                Tuple.of(2, position.map(Truncate::new)),
                Tuple.of(2, Combinators.combine(position, randomBytes(16)).as(Insert::new)),
                Tuple.of(2, Combinators.combine(position, position).as(Delete::new)),
                Tuple.of(1, Combinators.combine(position, position).as(Duplicate::new)),
                Tuple.of(1, Combinators.combine(position, position).as(Splice::new)));
    }

    /** {@code input} after {@code edits} in order; {@code donor} feeds splices. */
    public static byte[] apply(byte[] input, List<Edit> edits, byte[] donor) {
        byte[] out = input;
        for (Edit edit : edits) {
            out = edit.applyTo(out, donor);
        }
        return out;
    }

    /** A valid input damaged by 1 to {@code maxEdits} edits. */
    public static Arbitrary<byte[]> mutated(Arbitrary<byte[]> valid, int maxEdits) {
        return Combinators.combine(valid, valid, edits().list().ofMinSize(1).ofMaxSize(maxEdits))
                .as((input, donor, edits) -> apply(input, edits, donor));
    }

    /** Mostly damaged valid inputs, with some undamaged ones and some plain random bytes. */
    @SuppressWarnings("unchecked")
    public static Arbitrary<byte[]> hostile(Arbitrary<byte[]> valid) {
        return Arbitraries.frequencyOf(
                Tuple.of(16, mutated(valid, 4)),
                Tuple.of(1, valid),
                Tuple.of(3, randomBytes(256)));
    }

    public static Arbitrary<byte[]> randomBytes(int maxSize) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
    }

    private static int at(int position, int size) {
        return Math.floorMod(position, size);
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        byte[] out = new byte[size];
        int p = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, p, part.length);
            p += part.length;
        }
        return out;
    }
}
