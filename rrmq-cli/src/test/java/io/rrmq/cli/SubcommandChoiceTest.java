package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.cli.CliRunner.Result;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@link Main} builds only the subcommand the arguments name; everything else gets the whole tree. */
class SubcommandChoiceTest {
    private static CommandLine tree() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return Main.commandLine(new CliContext(sink, sink, new ByteArrayInputStream(new byte[0]), Map.of()));
    }

    @Test
    void findsTheSubcommandAfterTheRootOptions() {
        assertThat(Main.subcommandNamed(new String[] {"topics"})).isEqualTo("topics");
        assertThat(Main.subcommandNamed(new String[] {"--nodes", "topics", "status"})).isEqualTo("status");
        assertThat(Main.subcommandNamed(new String[] {"--nodes=a:1", "-v", "--json", "put", "t", "m"})).isEqualTo("put");
        assertThat(Main.subcommandNamed(new String[] {"members", "add", "http://x:1"})).isEqualTo("members");
    }

    @Test
    void leavesEverythingElseToTheWholeTree() {
        assertThat(Main.subcommandNamed(new String[] {})).isNull();
        assertThat(Main.subcommandNamed(new String[] {"--help", "topics"})).isNull();
        assertThat(Main.subcommandNamed(new String[] {"-V"})).isNull();
        assertThat(Main.subcommandNamed(new String[] {"topcs"})).isNull();
        assertThat(Main.subcommandNamed(new String[] {"completion"})).isNull();
        assertThat(Main.subcommandNamed(new String[] {"@args.txt"})).isNull();
        assertThat(Main.subcommandNamed(new String[] {"-vh", "topics"})).isNull();
    }

    @Test
    void theRootOptionsWithAValueAreTheOnesThatSkipAnArgument() {
        assertThat(tree().getCommandSpec().options().stream().filter(o -> o.arity().max() > 0)
                .flatMap(o -> java.util.Arrays.stream(o.names())).collect(Collectors.toSet()))
                .isEqualTo(RrmqCommand.OPTIONS_WITH_VALUE);
        assertThat(tree().getCommandSpec().options().stream().filter(o -> o.arity().max() == 0)
                .map(OptionSpec::longestName)).containsExactlyInAnyOrder("--json", "--verbose", "--help", "--version");
    }

    @Test
    void theWholeTreeHasEverySubcommandInHelpOrder() {
        assertThat(tree().getSubcommands().keySet()).containsExactlyElementsOf(Main.SUBCOMMANDS);
        Result help = new CliRunner("--nodes", "127.0.0.1:1").run("--help");
        assertThat(help.exitCode()).isZero();
        for (String name : Main.SUBCOMMANDS) {
            assertThat(help.out()).contains("  " + name + " ");
        }
        assertThat(new CliRunner().run("completion").out()).contains("topics").contains("metrics").contains("members");
    }
}
