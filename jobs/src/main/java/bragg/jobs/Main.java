package bragg.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of every bragg job: {@code bin/bragg <subcommand>} on the embedded Spark, or
 * {@code spark-submit --class bragg.jobs.Main bragg-app.jar <subcommand> ...} on a cluster.
 * Each subcommand is one class; register it in the list below.
 */
@Command(name = "bragg", mixinStandardHelpOptions = true, versionProvider = BuildInfo.VersionProvider.class,
        description = "Data-parallel training of attention models on Apache Spark for materials characterization data.",
        subcommands = {
                BenchCommand.class,
                bragg.jobs.config.ConfigCommand.class,
                bragg.jobs.data.InspectCommand.class,
                bragg.jobs.data.GenerateCommand.class,
                bragg.jobs.data.PreprocessCommand.class,
                bragg.jobs.train.TrainCommand.class,
                bragg.jobs.evaluate.EvaluateCommand.class,
                bragg.jobs.infer.InferCommand.class,
                bragg.jobs.demo.DemoCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // As wide as the terminal, so key names stay on one line (80 columns when there is none).
        cli.setUsageHelpAutoWidth(true);
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            // Bad input and bad config are reported as one clear line, not a stack trace;
            // anything else is a bug and keeps its stack trace.
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                line.getErr().println("bragg " + line.getCommandName() + ": " + UserErrorMessage.of(ex));
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
