package io.rrmq.example.kv;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A command of the store, as it travels in the Raft log: PUT sets a key and answers the previous
 * value; GET answers the value. The server answers a GET with a ReadIndex read
 * ({@code RaftNode.query}), not through the log; a GET in the log is still understood.
 *
 * @param op    the operation
 * @param key   the key
 * @param value the new value for PUT; empty for GET
 */
public record KvCommand(Op op, String key, String value) {
    /** The operations. */
    public enum Op { PUT, GET }

    /** The command as log bytes. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(op.ordinal());
            out.writeUTF(key);
            out.writeUTF(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array never fails
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #encode} wrote. */
    public static KvCommand decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new KvCommand(Op.values()[in.readByte()], in.readUTF(), in.readUTF());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
