package io.rrmq.server.transport;

import io.rrmq.raft.Transport;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Raft messages over HTTP: each batch is one {@code POST /raft} to the peer's own HTTP port, with an
 * {@code application/octet-stream} body of {@link io.rrmq.raft.message.MessageCodec#encodeBatch}.
 * The receiving side is {@link RaftMessageHandler}.
 *
 * <p><b>Threads.</b> {@link #send} never blocks: it hands the message to the peer's
 * {@link PeerSender}, whose own daemon thread ({@code raft-send-<peer>}) posts batches one at a time
 * with the JDK {@link HttpClient} (HTTP/1.1, keep-alive, so one connection per peer). A thread per
 * peer rather than a {@code sendAsync} chain keeps the order-preserving loop plain sequential code;
 * a cluster of N nodes spends N-1 mostly idle threads on it. The client itself adds its selector
 * thread and a two-thread executor.
 */
public final class HttpTransport implements Transport, AutoCloseable {

    private final int selfId;
    private final PeerSender[] senders;
    private final List<Thread> threads = new ArrayList<>();
    private final ExecutorService clientExecutor;
    private final AtomicLong droppedUnknownPeer = new AtomicLong();

    /** Builds the lanes; no thread runs until {@link #start()}. */
    public HttpTransport(ClusterConfig cluster, int selfId, ServerSettings settings) {
        this.selfId = selfId;
        AtomicInteger threadNumber = new AtomicInteger();
        this.clientExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "raft-http-client-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.peerConnectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(clientExecutor)
                .build();
        this.senders = new PeerSender[cluster.size()];
        for (ClusterConfig.Member peer : cluster.members()) {
            if (peer.id() == selfId) {
                continue;
            }
            BatchSink sink = new HttpBatchSink(client, URI.create(peer.url() + "/raft"),
                    settings.peerRequestTimeout());
            senders[peer.id()] = new PeerSender(peer.id(), peer.url(), sink,
                    settings.peerQueueCapacity(), settings.maxBatchMessages(),
                    settings.maxBatchBytes(), settings.peerBackoff());
        }
    }

    /** Starts one sender thread per peer. */
    public synchronized void start() {
        if (!threads.isEmpty()) {
            return;
        }
        for (PeerSender s : senders) {
            if (s != null) {
                Thread t = new Thread(s, "raft-send-" + s.peerId());
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /** Queues {@code message} for its peer. Never blocks; drops what cannot be queued. */
    @Override
    public void send(RaftMessage message) {
        int to = message.to();
        if (to < 0 || to >= senders.length || senders[to] == null) {
            droppedUnknownPeer.incrementAndGet();
            return;
        }
        senders[to].enqueue(message);
    }

    /** Counters of every peer lane, in peer id order. */
    public List<PeerStats> stats() {
        List<PeerStats> out = new ArrayList<>();
        for (PeerSender s : senders) {
            if (s != null) {
                out.add(s.stats());
            }
        }
        return out;
    }

    /** Messages addressed to this node itself or to an id outside the cluster. */
    public long droppedUnknownPeer() {
        return droppedUnknownPeer.get();
    }

    public int selfId() {
        return selfId;
    }

    /** Stops the sender threads (waiting up to a second for each) and the HTTP client's executor. */
    @Override
    public synchronized void close() {
        for (PeerSender s : senders) {
            if (s != null) {
                s.close();
            }
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
        clientExecutor.shutdownNow();
        try {
            clientExecutor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Posts batches with the shared JDK client and waits for each answer. */
    private static final class HttpBatchSink implements BatchSink {
        private final HttpClient client;
        private final URI target;
        private final Duration timeout;

        HttpBatchSink(HttpClient client, URI target, Duration timeout) {
            this.client = client;
            this.target = target;
            this.timeout = timeout;
        }

        @Override
        public int post(byte[] batch) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(timeout)
                    .header("Content-Type", RaftMessageHandler.CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(batch))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
