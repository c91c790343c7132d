package org.ssmlab.cli.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.simd.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab bench scan}: Mamba's fused selective scan (autograd op {@link Scan#selective}) at the
 * benchmark shape (batch 4, L 1024, D 128, N 16 by default), forward and forward+backward, in seconds
 * per call, and the bytes allocated by one forward+backward (they grow with B·L·D, not B·L·D·N, since
 * the (B, L, D, N) state is never stored). With {@code --peer} the same computation runs in PyTorch
 * (bench/scan_peer.py: a Python loop over time, and a log-depth parallel scan) in the same run,
 * {@code --rounds} times. {@code --isa avx2|avx512} runs both sides with that instruction set ({@link Isa}).
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Fused selective scan forward and forward+backward; --peer adds PyTorch in the same run.")
public final class ScanBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--batch", defaultValue = "4") int batch;
    @Option(names = "--length", defaultValue = "1024") int len;
    @Option(names = "--channels", defaultValue = "128", description = "D (default: ${DEFAULT-VALUE})") int d;
    @Option(names = "--state", defaultValue = "16", description = "N (default: ${DEFAULT-VALUE})") int n;
    @Option(names = "--seconds", defaultValue = "2.0", description = "Measuring time per figure.") double seconds;
    @Option(names = "--peer", description = "Also time PyTorch (bench/scan_peer.py) and print the speed-ups.") boolean peer;

    @Mixin
    BenchOptions options;

    @Override
    public Integer call() {
        if (batch < 1 || len < 1 || d < 1 || n < 1) {
            throw new IllegalArgumentException("--batch, --length, --channels and --state must be positive");
        }
        Integer elsewhere = options.runElsewhereIfNeeded(spec);
        if (elsewhere != null) {
            return elsewhere;
        }
        PrintWriter out = spec.commandLine().getOut();
        SplittableRandom r = new SplittableRandom(1);
        Tensor u = Tensor.randn(r, 1f, batch, len, d).requiresGrad(true);
        Tensor delta = Tensor.uniform(r, 0.001f, 0.1f, batch, len, d).requiresGrad(true);
        Tensor a = Tensor.uniform(r, -2f, -0.5f, d, n).requiresGrad(true);
        Tensor bm = Tensor.randn(r, 1f, batch, len, n).requiresGrad(true);
        Tensor cm = Tensor.randn(r, 1f, batch, len, n).requiresGrad(true);
        Tensor dSkip = Tensor.ones(d).requiresGrad(true);
        Tensor z = Tensor.randn(r, 1f, batch, len, d).requiresGrad(true);
        float[] g = Tensor.randn(2, batch, len, d).toArray();
        List<Tensor> leaves = List.of(u, delta, a, bm, cm, dSkip, z);
        Runnable forward = () -> {
            try (var s = org.ssmlab.autograd.GradMode.noGrad()) {
                Scan.selective(u, delta, a, bm, cm, dSkip, z, false, false);
            }
        };
        Runnable forwardBackward = () -> {
            leaves.forEach(Tensor::zeroGrad);
            Scan.selective(u, delta, a, bm, cm, dSkip, z, false, false).backward(g);
        };
        out.printf("backend=%s%n", org.ssmlab.simd.Backend.current().name());
        BenchOptions.printMachine(out, options.isa);
        out.printf("scan_shape=B%dxL%dxD%dxN%d%n", batch, len, d, n);
        out.flush();
        int rounds = peer ? options.rounds : 1;
        double[] loopSpeedup = new double[rounds];
        double[] parallelSpeedup = new double[rounds];
        out.println("timing=" + options.timingName());
        for (int round = 0; round < rounds; round++) {
            double fwd = options.measure(clock -> Timing.secondsPerCall(forward, 1.0, seconds, clock));
            out.printf("scan_fwd_seconds=%.6f%n", fwd);
            out.flush();
            double fwdBwd = options.measure(clock -> Timing.secondsPerCall(forwardBackward, 1.0, seconds, clock));
            out.printf("scan_fwdbwd_seconds=%.6f%n", fwdBwd);
            if (round == 0) {
                long bytes = allocatedBytes(forwardBackward);
                out.printf("scan_fwdbwd_allocated_bytes=%d%n", bytes);
                out.printf("scan_fwdbwd_allocated_floats_per_BLD=%.2f%n", bytes / 4.0 / ((double) batch * len * d));
            }
            out.flush();
            if (!peer) {
                return 0;
            }
            Map<String, Double> p = PeerScript.run("scan_peer.py", "torch",
                    GemmBench.concat(options.peerThreadArgs(), List.of("--batch", String.valueOf(batch),
                            "--len", String.valueOf(len), "--d", String.valueOf(d), "--n", String.valueOf(n))),
                    options.peerEnvironment(),
                    line -> {
                        out.println(line);
                        out.flush();
                    });
            Double loop = p.get("torch_loop_fwdbwd_seconds");
            Double par = p.get("torch_parallel_fwdbwd_seconds");
            if (loop == null || par == null) {
                throw new IllegalStateException("bench/scan_peer.py printed no torch_loop/parallel_fwdbwd_seconds");
            }
            loopSpeedup[round] = loop / fwdBwd;
            parallelSpeedup[round] = par / fwdBwd;
            out.printf("round%d_scan_fwdbwd_speedup_vs_torch_loop=%.1f%n", round + 1, loopSpeedup[round]);
            out.flush();
        }
        BenchOptions.printSummary(out, "scan_fwdbwd_speedup_vs_torch_parallel", parallelSpeedup, "%.1f");
        BenchOptions.printSummary(out, "scan_fwdbwd_speedup_vs_torch_loop", loopSpeedup, "%.1f");
        out.printf("load_average_end=%.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        return 0;
    }

    /** Bytes allocated by all live threads while {@code body} runs once (HotSpot's per-thread counters). */
    private static long allocatedBytes(Runnable body) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long before = sum(mx.getThreadAllocatedBytes(ids));
        body.run();
        return sum(mx.getThreadAllocatedBytes(ids)) - before;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(0, v);
        }
        return s;
    }
}
