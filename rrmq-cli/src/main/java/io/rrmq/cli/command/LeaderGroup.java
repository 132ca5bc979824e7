package io.rrmq.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rrmq leader}: the leadership commands ({@code transfer}). */
@Command(name = "leader", header = "Leadership commands (admin): transfer.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        footerHeading = "%n", footer = {"Example:", "  rrmq leader transfer 2", "", io.rrmq.cli.ExitCode.HELP})
public final class LeaderGroup implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (rrmq leader transfer [ID])");
    }
}
