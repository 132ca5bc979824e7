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
import io.rrmq.cli.command.MetricsCommand;
import io.rrmq.cli.command.StatusCommand;
import io.rrmq.cli.command.TopicsCommand;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        return commandLine(context, subcommandNamed(args)).execute(args);
    }

    /** The whole command tree, wired to {@code context}'s streams. */
    public static CommandLine commandLine(CliContext context) {
        return commandLine(context, null);
    }

    /**
     * The command tree with only the subcommand {@code only} under the root, or every subcommand
     * when {@code only} is null. Picocli builds each command's model by reflection when it is added
     * (a few ms each, old-format classes that the class-data archive cannot hold): a command needs
     * only its own; the top-level help, a mistyped name and {@code completion} get them all.
     */
    static CommandLine commandLine(CliContext context, String only) {
        RrmqCommand root = new RrmqCommand(context);
        CommandLine cmd = new CommandLine(root);
        for (String name : SUBCOMMANDS) {
            if (only == null || only.equals(name)) {
                cmd.addSubcommand(subcommand(name, root));
            }
        }
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

    /** The subcommands in the order {@code --help} lists them. */
    static final List<String> SUBCOMMANDS = List.of("put", "get", "receive", "ack", "nack", "topics", "create-topic",
            "status", "metrics", "members", "leader", "completion");

    private static Object subcommand(String name, RrmqCommand root) {
        return switch (name) {
            case "put" -> new PutCommand(root);
            case "get" -> new GetCommand(root);
            case "receive" -> new ReceiveCommand(root);
            case "ack" -> new AckCommand.Ack(root);
            case "nack" -> new AckCommand.Nack(root);
            case "topics" -> new TopicsCommand(root);
            case "create-topic" -> new CreateTopicCommand(root);
            case "status" -> new StatusCommand(root);
            case "metrics" -> new MetricsCommand(root);
            case "members" -> new CommandLine(new MembersCommand(root))
                    .addSubcommand(new MembersAddCommand(root))
                    .addSubcommand(new MembersRemoveCommand(root));
            case "leader" -> new CommandLine(new LeaderGroup()).addSubcommand(new LeaderCommand(root));
            case "completion" -> new CompletionCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * The subcommand {@code args} run, if it is plain to see without the parser: the first argument
     * that is not a root option (nor the value of one) names a subcommand. Null (the whole tree)
     * when there is none, it names no subcommand, it is {@code completion} (which prints the whole
     * tree), an option before it is not one of the root's value options or flags (the root's
     * {@code --help} lists every subcommand), or an argument is an {@code @file} (picocli expands those).
     */
    private static final List<String> FLAGS = List.of("--json", "-v", "--verbose");

    static String subcommandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("@")) {
                return null;
            }
            if (RrmqCommand.OPTIONS_WITH_VALUE.contains(arg)) {
                i++; // its value
                continue;
            }
            if (arg.startsWith("-")) {
                int equals = arg.indexOf('=');
                if (equals > 0 && RrmqCommand.OPTIONS_WITH_VALUE.contains(arg.substring(0, equals))
                        || FLAGS.contains(arg)) {
                    continue;
                }
                return null; // --help, --version, a cluster of short options, a mistake: the parser decides
            }
            return SUBCOMMANDS.contains(arg) && !arg.equals("completion") ? arg : null;
        }
        return null;
    }
}
