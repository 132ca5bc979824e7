package io.rrmq.example.kv;

import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.NodeClosedException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.runtime.RaftRuntime;
import io.rrmq.raft.storage.FileRaftStorage;
import io.rrmq.raft.storage.FileSnapshotStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node of the store: raft-lib with durable file storage and {@link TcpTransport}, and a line
 * protocol for clients on a second port. Requests and answers, one line each:
 * <pre>
 * PUT key value   OK
 * GET key         VALUE value | NONE
 * any, not leader NOTLEADER host:port (the leader's client address) | NOTLEADER ?
 * outcome unknown UNKNOWN reason (the leader changed or the node stopped: read before retrying)
 * bad request     ERR reason
 * </pre>
 * Usage: {@code KvServer ID PEERS DATA_DIR}, PEERS as {@code 1=127.0.0.1:7001:7101,2=...}: each
 * node's Raft port, then its client port.
 */
public final class KvServer {
    private static final int MAX_LINE = 8192;
    private static final long ANSWER_TIMEOUT_SECONDS = 5;

    private final RaftNode node;
    private final Map<Integer, InetSocketAddress> clientAddresses;

    KvServer(RaftNode node, Map<Integer, InetSocketAddress> clientAddresses) {
        this.node = node;
        this.clientAddresses = clientAddresses;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: KvServer ID PEERS DATA_DIR   (PEERS: 1=127.0.0.1:7001:7101,2=...)");
            System.exit(2);
        }
        int self = Integer.parseInt(args[0]);
        Map<Integer, InetSocketAddress> raft = new TreeMap<>();
        Map<Integer, InetSocketAddress> clients = new TreeMap<>();
        for (String peer : args[1].split(",")) {
            String[] idAndRest = peer.split("=");
            String[] parts = idAndRest[1].split(":");
            int id = Integer.parseInt(idAndRest[0]);
            raft.put(id, new InetSocketAddress(parts[0], Integer.parseInt(parts[1])));
            clients.put(id, new InetSocketAddress(parts[0], Integer.parseInt(parts[2])));
        }
        Path data = Path.of(args[2]);
        TcpTransport transport = new TcpTransport(self, raft);
        RaftNode node = RaftRuntime.start(RaftConfig.defaults(), self, new ArrayList<>(raft.keySet()),
                new KvStateMachine(), FileRaftStorage.open(data.resolve("log")),
                FileSnapshotStore.open(data.resolve("snapshots")), transport, System.nanoTime());
        transport.attach(node);
        // A node that stopped by itself (a failed fsync) must not serve on: exit and let a supervisor restart it.
        node.stopped().whenComplete((ok, failure) -> {
            if (failure != null) {
                System.err.println("node stopped: " + failure);
                Runtime.getRuntime().halt(1);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            try {
                transport.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }));
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReuseAddress(true);
            listener.bind(clients.get(self));
            System.out.println("kv node " + self + " serving clients on " + clients.get(self));
            new KvServer(node, clients).serve(listener);
        }
    }

    private void serve(ServerSocket listener) throws IOException {
        while (true) {
            Socket client = listener.accept();
            Thread t = new Thread(() -> handle(client), "kv-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(Socket client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(answer(line));
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** One request line to one answer line. */
    String answer(String line) {
        String[] words = line.strip().split("\\s+", 3);
        KvCommand command;
        if (line.length() > MAX_LINE) {
            return "ERR line longer than " + MAX_LINE;
        } else if (words.length == 3 && words[0].equalsIgnoreCase("PUT")) {
            command = new KvCommand(KvCommand.Op.PUT, words[1], words[2]);
        } else if (words.length == 2 && words[0].equalsIgnoreCase("GET")) {
            command = new KvCommand(KvCommand.Op.GET, words[1], "");
        } else {
            return "ERR expected PUT key value or GET key";
        }
        try {
            // A GET is a ReadIndex read: linearizable, and nothing is written to the log for it.
            byte[] result = (command.op() == KvCommand.Op.GET ? node.query(command.encode()) : node.propose(command.encode()))
                    .get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (command.op() == KvCommand.Op.PUT) {
                return "OK";
            }
            return result.length == 0 ? "NONE" : "VALUE " + new String(result, StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            return failure(e.getCause());
        } catch (TimeoutException e) {
            return "UNKNOWN no answer within " + ANSWER_TIMEOUT_SECONDS + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNKNOWN interrupted";
        }
    }

    private String failure(Throwable cause) {
        if (cause instanceof NotLeaderException notLeader) {
            InetSocketAddress leader = clientAddresses.get(notLeader.leaderHint());
            return "NOTLEADER " + (leader == null ? "?" : leader.getHostString() + ":" + leader.getPort());
        }
        if (cause instanceof LeadershipLostException || cause instanceof NodeClosedException) {
            return "UNKNOWN " + cause.getMessage();
        }
        return "ERR " + cause.getMessage();
    }
}
