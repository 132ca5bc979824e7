package io.rrmq.cli.command;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rrmq completion}: prints the bash/zsh completion script that picocli generates from the commands. */
@Command(name = "completion", header = "Print the bash completion script.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = "Print a bash completion script for rrmq (works in zsh with bashcompinit).",
        footerHeading = "%n",
        footer = {"Examples:",
            "  source <(rrmq completion)                         # this shell",
            "  rrmq completion > ~/.local/share/bash-completion/completions/rrmq",
            "  source <(./rrmq completion) && complete -F _complete_rrmq ./rrmq   # the repo's wrapper"})
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("rrmq", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
