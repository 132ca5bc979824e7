package io.rrmq.example.kv;

import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Transport;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * raft-lib's {@link Transport} over plain JDK TCP sockets: one outbound connection per peer, fed by
 * a queue and a sender thread that writes batches as frames (a 4-byte length, then
 * {@link MessageCodec#encodeBatch}); one reader thread per inbound connection hands what it decodes
 * to {@link RaftNode#receive}. Raft tolerates loss, so a full queue or a broken connection drops
 * messages instead of blocking the node; the sender reconnects on its next batch.
 */
public final class TcpTransport implements Transport, AutoCloseable {
    private static final int QUEUE_CAPACITY = 10_000;
    private static final int MAX_BATCH = 256;
    private static final int MAX_FRAME_BYTES = 64 << 20;
    private static final int CONNECT_TIMEOUT_MILLIS = 500;
    /** How long a sender waits after a failed connect, so that a dead peer costs no busy loop. */
    private static final long RECONNECT_PAUSE_MILLIS = 100;

    private final Map<Integer, InetSocketAddress> peers;
    private final Map<Integer, Sender> senders = new ConcurrentHashMap<>();
    private final List<Socket> inbound = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private volatile RaftNode node;
    private volatile boolean closed;

    /**
     * Listens at {@code peers.get(selfId)} at once; messages that arrive before {@link #attach} are dropped.
     *
     * @param peers every member's Raft address, this node's included
     */
    public TcpTransport(int selfId, Map<Integer, InetSocketAddress> peers) throws IOException {
        this.peers = Map.copyOf(peers);
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(peers.get(selfId));
        daemon("kv-accept-" + selfId, this::acceptLoop).start();
    }

    /** The node that receives what arrives. */
    public void attach(RaftNode receiver) {
        this.node = receiver;
    }

    @Override
    public void send(RaftMessage message) {
        senders.computeIfAbsent(message.to(), Sender::new).queue.offer(message); // full: dropped
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                inbound.add(socket);
                daemon("kv-read-" + socket.getRemoteSocketAddress(), () -> readLoop(socket)).start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("accept failed: " + e);
                }
            }
        }
    }

    private void readLoop(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()))) {
            while (!closed) {
                int length = in.readInt();
                if (length < 0 || length > MAX_FRAME_BYTES) {
                    throw new IOException("bad frame length " + length);
                }
                byte[] frame = new byte[length];
                in.readFully(frame);
                RaftNode receiver = node;
                if (receiver != null) {
                    MessageCodec.decodeBatch(frame).forEach(receiver::receive);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The peer closed or sent garbage: drop the connection; it reconnects if it wants to.
        } finally {
            inbound.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Sender s : senders.values()) {
            s.thread.interrupt();
            s.disconnect();
        }
        for (Socket socket : inbound) {
            socket.close();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** The queue and connection to one peer. */
    private final class Sender {
        final BlockingQueue<RaftMessage> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        final Thread thread;
        private Socket socket;
        private DataOutputStream out;

        Sender(int peer) {
            thread = daemon("kv-send-" + peer, () -> sendLoop(peer));
            thread.start();
        }

        private void sendLoop(int peer) {
            List<RaftMessage> batch = new ArrayList<>();
            while (!closed) {
                try {
                    batch.add(queue.take());
                    queue.drainTo(batch, MAX_BATCH - 1);
                    write(peer, MessageCodec.encodeBatch(batch));
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    disconnect(); // the batch is lost, as on a lossy network
                    pause();
                }
                batch.clear();
            }
        }

        private void write(int peer, byte[] frame) throws IOException {
            if (socket == null) {
                InetSocketAddress address = peers.get(peer);
                if (address == null) {
                    throw new IOException("no address for node " + peer);
                }
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(address, CONNECT_TIMEOUT_MILLIS);
                socket = s;
                out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 << 10));
            }
            out.writeInt(frame.length);
            out.write(frame);
            out.flush();
        }

        private void pause() {
            try {
                Thread.sleep(RECONNECT_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void disconnect() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
