package io.rrmq.example.kv;

import io.rrmq.raft.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated map. Each command answers a value in UTF-8, or an empty array for "no value":
 * PUT the previous value, GET the current one. Called by raft-lib on its event loop only.
 */
public final class KvStateMachine implements StateMachine {
    private final Map<String, String> map = new TreeMap<>();

    @Override
    public byte[] apply(long index, byte[] command) {
        KvCommand c = KvCommand.decode(command);
        String answer = c.op() == KvCommand.Op.PUT ? map.put(c.key(), c.value()) : map.get(c.key());
        return answer == null ? new byte[0] : answer.getBytes(StandardCharsets.UTF_8);
    }

    /** Answers a GET without a log entry (raft-lib calls it once a read index allows). */
    @Override
    public byte[] query(byte[] query) {
        KvCommand c = KvCommand.decode(query);
        if (c.op() != KvCommand.Op.GET) {
            throw new IllegalArgumentException("only GET is a query");
        }
        String value = map.get(c.key());
        return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            data.writeUTF(e.getKey());
            data.writeUTF(e.getValue());
        }
        data.flush();
    }

    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        map.clear();
        for (int n = data.readInt(); n > 0; n--) {
            map.put(data.readUTF(), data.readUTF());
        }
    }
}
