package org.ssmlab.cli.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The instruction set a benchmark runs both sides with ({@code --isa}), so that AVX2 and AVX-512 can
 * be measured on one AVX-512 machine:
 *
 * <ul>
 *   <li>ours: HotSpot's {@code -XX:UseAVX=2} makes the JIT emit AVX2 (the Vector API's preferred species
 *       becomes 256 bits, 16 vector registers); {@code -XX:UseAVX=3} is AVX-512;</li>
 *   <li>the peer: {@code OPENBLAS_CORETYPE=Haswell} (AVX2) or {@code SkylakeX} (AVX-512) pins OpenBLAS's
 *       kernels, {@code ATEN_CPU_CAPABILITY=avx2|avx512} PyTorch's own kernels and
 *       {@code DNNL_MAX_CPU_ISA} its oneDNN kernels. These are set in the peer's environment only.</li>
 * </ul>
 *
 * A JVM's instruction set is fixed when it starts, so when it differs from the one asked for, the
 * benchmark runs again in a child JVM with the flag (same class path, same arguments) and passes its
 * output through.
 */
public enum Isa {
    /** Whatever the JVM and the peer pick by themselves. */
    NATIVE(-1, Map.of()),
    /** 256-bit vectors, 16 registers. */
    AVX2(2, Map.of("OPENBLAS_CORETYPE", "Haswell", "ATEN_CPU_CAPABILITY", "avx2", "DNNL_MAX_CPU_ISA", "AVX2")),
    /** 512-bit vectors, 32 registers. */
    AVX512(3, Map.of("OPENBLAS_CORETYPE", "SkylakeX", "ATEN_CPU_CAPABILITY", "avx512",
            "DNNL_MAX_CPU_ISA", "AVX512_CORE"));

    /** HotSpot's UseAVX level for this instruction set (-1: leave it). */
    final int useAvx;
    /** The environment the peer runs with. */
    final Map<String, String> peerEnvironment;

    Isa(int useAvx, Map<String, String> peerEnvironment) {
        this.useAvx = useAvx;
        this.peerEnvironment = peerEnvironment;
    }

    /** Parses {@code native}, {@code avx2} or {@code avx512} (also {@code avx-512}). */
    public static Isa parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace("-", "")) {
            case "native" -> NATIVE;
            case "avx2" -> AVX2;
            case "avx512" -> AVX512;
            default -> throw new IllegalArgumentException("--isa " + text + ": expected native, avx2 or avx512");
        };
    }

    /** The UseAVX level of this JVM, or -1 where HotSpot has no such flag (not x86). */
    static int currentUseAvx() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(bean.getVMOption("UseAVX").getValue());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The system property that marks a JVM started by {@link #relaunch} (it must not relaunch again). */
    static final String CHILD = "ssmlab.isa.child";

    /** True when this JVM already runs with this instruction set. */
    boolean isCurrent() {
        return this == NATIVE || currentUseAvx() == useAvx;
    }

    /**
     * Null when this JVM runs with this instruction set; else the exit code of the same command run
     * again in a child JVM that does.
     *
     * @throws IllegalStateException when the child JVM still does not have it (the CPU lacks it)
     */
    Integer runElsewhereIfNeeded(List<String> originalArgs) {
        if (isCurrent()) {
            return null;
        }
        if (Boolean.getBoolean(CHILD)) {
            throw new IllegalStateException("--isa " + name().toLowerCase(Locale.ROOT) + ": HotSpot runs with UseAVX="
                    + currentUseAvx() + " even when asked for " + useAvx + " (the CPU lacks the instruction set)");
        }
        return relaunch("org.ssmlab.cli.Main", originalArgs);
    }

    /**
     * Runs this program again in a child JVM with {@code -XX:UseAVX=N} and the same arguments, output and
     * input passed through; returns its exit code.
     *
     * @throws IllegalStateException when this JVM has no UseAVX flag (not x86) or the child cannot start
     */
    int relaunch(String mainClass, List<String> args) {
        if (currentUseAvx() < 0) {
            throw new IllegalStateException("--isa " + name().toLowerCase(Locale.ROOT)
                    + ": this JVM has no -XX:UseAVX flag (not an x86 HotSpot JVM)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-XX:UseAVX=")) {
                cmd.add(a);
            }
        }
        cmd.add("-XX:UseAVX=" + useAvx);
        cmd.add("-D" + CHILD + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("--isa: cannot start " + cmd.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("--isa: interrupted", e);
        }
    }
}
