package org.ssmlab.cli.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ssmlab.simd.Parallel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Options every peer benchmark shares: the instruction set both sides run with ({@code --isa}) and the
 * number of rounds ({@code --rounds}); each round measures ours and then the peer, so each ratio is
 * measured in one run, and the summary gives the median and the smallest of the rounds' ratios.
 */
public final class BenchOptions {

    @Option(names = "--isa", defaultValue = "native", converter = IsaConverter.class,
            description = "Instruction set for both sides: native (default), avx2 or avx512. Ours runs in a JVM"
                    + " with -XX:UseAVX=2|3; the peer with OPENBLAS_CORETYPE=Haswell|SkylakeX and"
                    + " ATEN_CPU_CAPABILITY=avx2|avx512 in its environment only.")
    Isa isa;

    @Option(names = "--cpu-time", description = "Both sides on one thread, timed by CPU time (ours: the thread's,"
            + " the peer: its process's, with one thread): a figure that other work on a shared machine disturbs"
            + " much less than wall-clock time.")
    boolean cpuTime;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Rounds of (ours, then the peer); ratios are reported per round, median and min"
                    + " (default: ${DEFAULT-VALUE}).")
    int rounds;

    /** picocli converter for {@link Isa#parse}. */
    static final class IsaConverter implements picocli.CommandLine.ITypeConverter<Isa> {
        @Override
        public Isa convert(String value) {
            return Isa.parse(value);
        }
    }

    /**
     * Null when this JVM runs with the requested instruction set; else runs the whole command again in a
     * child JVM that does and returns its exit code.
     */
    Integer runElsewhereIfNeeded(CommandSpec spec) {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds " + rounds + ": must be at least 1");
        }
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        return isa.runElsewhereIfNeeded(args);
    }

    /** Threads ours and the peer use: 1 with {@code --cpu-time}, else {@link Parallel#threads()}. */
    int threads() {
        return cpuTime ? 1 : Parallel.threads();
    }

    /** The peer's thread arguments: {@code --threads N}, and {@code --cpu-time} when timing by CPU time. */
    List<String> peerThreadArgs() {
        return cpuTime ? List.of("--threads", "1", "--cpu-time") : List.of("--threads", String.valueOf(Parallel.threads()));
    }

    /**
     * Runs {@code measure} with the clock it should time with: the wall clock, or with {@code --cpu-time}
     * the calling thread's CPU time, serially (every parallel-for inside runs on this thread).
     */
    <T> T measure(java.util.function.Function<java.util.function.LongSupplier, T> measure) {
        if (!cpuTime) {
            return measure.apply(System::nanoTime);
        }
        try {
            return Parallel.serially(() -> measure.apply(Timing.threadCpuClock()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The timing this run uses, for a {@code timing=} line. */
    String timingName() {
        return cpuTime ? "cpu_time_one_thread" : "wall_clock_" + Parallel.threads() + "_threads";
    }

    /** The peer's environment for the requested instruction set. */
    Map<String, String> peerEnvironment() {
        return isa.peerEnvironment;
    }

    /** Prints what both sides run on: the instruction set, vector width, threads and the machine's load. */
    static void printMachine(PrintWriter out, Isa isa) {
        out.println("isa=" + isa.name().toLowerCase(java.util.Locale.ROOT));
        out.println("use_avx=" + Isa.currentUseAvx());
        out.println("vector_bits=" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        out.println("threads=" + Parallel.threads());
        out.printf("load_average=%.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
    }

    /** Prints {@code name=median}, {@code name_min=min} and {@code name_rounds=r1,r2,...} of the rounds' values. */
    static void printSummary(PrintWriter out, String name, double[] values, String format) {
        double[] s = values.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        out.println(name + "=" + String.format(java.util.Locale.ROOT, format, median));
        if (values.length > 1) {
            out.println(name + "_min=" + String.format(java.util.Locale.ROOT, format, s[0]));
            StringBuilder all = new StringBuilder();
            for (double v : values) {
                all.append(all.isEmpty() ? "" : ",").append(String.format(java.util.Locale.ROOT, format, v));
            }
            out.println(name + "_rounds=" + all);
        }
        out.flush();
    }
}
