package io.rrmq.server.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The operations of a chaos run, appended by many client threads as each operation ends. The only
 * shared state between the load threads; appends and snapshots are serialized on this object.
 */
public final class History {
    private final List<Operation> operations = new ArrayList<>();

    public synchronized void add(Operation operation) {
        operations.add(operation);
    }

    /** A copy of everything recorded so far, in the order recorded. */
    public synchronized List<Operation> operations() {
        return List.copyOf(operations);
    }

    public synchronized int size() {
        return operations.size();
    }
}
