package bragg.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bragg bench <what>}: benchmarks that print a table and, as their last line, one JSON
 * object of ratios measured side by side in the same run. Benchmarks are not tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints a table and ends with one JSON line.",
        subcommands = {
                bragg.jobs.bench.AttentionBench.class,
                bragg.jobs.data.PreprocessBench.class,
                bragg.jobs.bench.AllReduceBench.class,
                bragg.jobs.bench.TrainBench.class,
                bragg.jobs.bench.TransformBench.class,
        })
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to benchmark");
    }
}
