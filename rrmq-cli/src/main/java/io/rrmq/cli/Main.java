package io.rrmq.cli;

import io.rrmq.cli.command.CompletionCommand;
import io.rrmq.cli.command.CreateTopicCommand;
import io.rrmq.cli.command.AckCommand;
import io.rrmq.cli.command.GetCommand;
import io.rrmq.cli.command.ReceiveCommand;
import io.rrmq.cli.command.PutCommand;
import io.rrmq.cli.command.LeaderCommand;
import io.rrmq.cli.command.LeaderGroup;
import io.rrmq.cli.command.MembersAddCommand;
import io.rrmq.cli.command.MembersCommand;
import io.rrmq.cli.command.MembersRemoveCommand;
import io.rrmq.cli.command.StatusCommand;
import io.rrmq.cli.command.TopicsCommand;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** {@code rrmq}: the command-line client. {@link #run} is the whole program, minus {@code System.exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // UTF-8 whatever the locale: messages are Unicode, and scripts must get back what they put.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                StandardCharsets.UTF_8), true);
        int code = run(args, new CliContext(out, err, System.in, System.getenv()));
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Parses {@code args}, runs the command, and returns the exit code ({@link ExitCode}). */
    public static int run(String[] args, CliContext context) {
        return commandLine(context).execute(args);
    }

    /** The command tree, wired to {@code context}'s streams. */
    public static CommandLine commandLine(CliContext context) {
        RrmqCommand root = new RrmqCommand(context);
        CommandLine cmd = new CommandLine(root)
                .addSubcommand(new PutCommand(root))
                .addSubcommand(new GetCommand(root))
                .addSubcommand(new ReceiveCommand(root))
                .addSubcommand(new AckCommand.Ack(root))
                .addSubcommand(new AckCommand.Nack(root))
                .addSubcommand(new TopicsCommand(root))
                .addSubcommand(new CreateTopicCommand(root))
                .addSubcommand(new StatusCommand(root))
                .addSubcommand(new CommandLine(new MembersCommand(root))
                        .addSubcommand(new MembersAddCommand(root))
                        .addSubcommand(new MembersRemoveCommand(root)))
                .addSubcommand(new CommandLine(new LeaderGroup()).addSubcommand(new LeaderCommand(root)))
                .addSubcommand(new CompletionCommand());
        cmd.setOut(context.out());
        cmd.setErr(context.err());
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            context.err().println("rrmq: internal error: " + e);
            context.err().flush();
            return ExitCode.SOFTWARE.code();
        });
        return cmd;
    }
}
