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
            "  rrmq put --request-id 7f3e... orders hi   # retry a command that exited with 4",
            "", io.rrmq.cli.ExitCode.HELP})
public final class PutCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic (must exist: see create-topic).")
    private String topic;

    @Parameters(index = "1", paramLabel = "MESSAGE", arity = "0..1",
            description = "The message; read from stdin when omitted.")
    private String message;

    @Option(names = "--request-id", paramLabel = "ID", description = REQUEST_ID_HELP)
    private String requestId;

    public PutCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        String t = Arguments.require(topic);
        String id = Arguments.requestId(requestId);
        String text = message != null ? message : readStdin();
        Outcome outcome = client.send(Arguments.withinSizeLimit(ApiRequest.putMessage(t, text, id)));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            return output.success("OK\n", output.okDocument().put("topic", t).put("requestId", id));
        }
        return notDone(output, outcome, t, id);
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
