package io.rrmq.cli.command;

import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rrmq put TOPIC [MESSAGE]}: appends a message to a topic. */
@Command(name = "put", header = "Append a message to a topic (from MESSAGE or stdin).",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Append MESSAGE to TOPIC. Without MESSAGE, the message is read from stdin (UTF-8),"
                + " and exactly one trailing newline (\\n or \\r\\n) is removed, so that"
                + " `echo hi | rrmq put t` puts \"hi\" and `rrmq get t` prints it back.",
            "Prints OK (with --json: {\"ok\":true,\"topic\":...,\"requestId\":...})."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq put orders 'order #1'",
            "  echo 'order #2' | rrmq put orders",
            "  rrmq put orders < order.json",
            "  rrmq put orders -- -42              # a message starting with '-'",
            "  seq 1 5000 | rrmq put --batch orders   # one message per line, 1000 per request",
            "  rrmq put --request-id 7f3e... orders hi   # retry a command that exited with 4",
            "", io.rrmq.cli.ExitCode.HELP})
public final class PutCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic (must exist: see create-topic).")
    private String topic;

    @Parameters(index = "1", paramLabel = "MESSAGE", arity = "0..1",
            description = "The message; read from stdin when omitted.")
    private String message;

    @Option(names = "--request-id", paramLabel = "ID", description = REQUEST_ID_HELP
            + " With --batch, request k of a long input gets ID-k.")
    private String requestId;

    @Option(names = "--batch", description = "Read one message per line from stdin (UTF-8; \\n or \\r\\n) and"
            + " put them in order with PUT /messages: up to 1000 messages (and 1 MiB) per request, each request"
            + " all or nothing. Prints OK and the count.")
    private boolean batch;

    public PutCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        String t = Arguments.require(topic);
        String id = Arguments.requestId(requestId);
        if (batch) {
            if (message != null) {
                throw new UsageException("--batch reads the messages from stdin: give no MESSAGE");
            }
            return putBatch(client, output, t, id);
        }
        String text = message != null ? message : readStdin();
        Outcome outcome = client.send(Arguments.withinSizeLimit(ApiRequest.putMessage(t, text, id)));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            return output.success("OK\n", output.okDocument().put("topic", t).put("requestId", id));
        }
        return notDone(output, outcome, t, id);
    }

    private ExitCode putBatch(ClusterClient client, Output output, String t, String id)
            throws UsageException, InterruptedException {
        String text = readStdin();
        java.util.List<String> lines = text.isEmpty() ? java.util.List.of()
                : java.util.Arrays.asList(text.split("\r?\n", -1));
        if (lines.isEmpty()) {
            throw new UsageException("--batch: no message on stdin");
        }
        java.util.List<java.util.List<String>> requests = new java.util.ArrayList<>();
        java.util.List<String> current = new java.util.ArrayList<>();
        long bytes = 0;
        for (String line : lines) {
            long size = line.getBytes(StandardCharsets.UTF_8).length * 2L + 8; // JSON escaping, worst case mostly
            if (!current.isEmpty() && (current.size() == 1000 || bytes + size > ApiRequest.MAX_BODY_BYTES - 4096)) {
                requests.add(current);
                current = new java.util.ArrayList<>();
                bytes = 0;
            }
            current.add(line);
            bytes += size;
        }
        requests.add(current);
        int put = 0;
        for (int k = 0; k < requests.size(); k++) {
            String requestIdK = requests.size() == 1 ? id : id + "-" + k;
            Outcome outcome = client.send(Arguments.withinSizeLimit(ApiRequest.putBatch(t, requests.get(k), requestIdK)));
            if (!(outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK)) {
                if (put > 0) {
                    root.context().err().println("rrmq: " + put + " of " + lines.size() + " messages were put before this failure");
                }
                return notDone(output, outcome, t, requestIdK);
            }
            put += requests.get(k).size();
        }
        return output.success("OK " + put + "\n", output.okDocument().put("topic", t).put("count", put).put("requestId", id));
    }

    private String readStdin() throws UsageException {
        byte[] bytes;
        try {
            bytes = root.context().in().readAllBytes();
        } catch (IOException e) {
            throw new UsageException("cannot read the message from stdin: " + e.getMessage(), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException("the message on stdin is not valid UTF-8");
        }
        return stripOneNewline(text);
    }

    /** Removes exactly one trailing {@code \n} or {@code \r\n}: what echo and a text editor add. */
    static String stripOneNewline(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        if (text.endsWith("\n")) {
            return text.substring(0, text.length() - 1);
        }
        return text;
    }
}
