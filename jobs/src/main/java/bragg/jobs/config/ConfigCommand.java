package bragg.jobs.config;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bragg config reference|show}: the documented keys, and a config as a job would see it. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the documented config keys, or check a config file and print it resolved.",
        subcommands = {ConfigCommand.Reference.class, ConfigCommand.Show.class})
public final class ConfigCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say reference or show");
    }

    @Command(name = "reference", mixinStandardHelpOptions = true,
            description = "Print every bragg.* key with its doc, allowed values and default (reference.conf).")
    static final class Reference implements Runnable {
        @Override
        public void run() {
            System.out.print(ConfigReference.render());
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Validate a config (file + --set overrides) and print it resolved, defaults filled in.")
    static final class Show implements Runnable {
        @Mixin
        ConfigOptions config;

        @Override
        public void run() {
            System.out.print(config.load().renderHocon());
        }
    }
}
