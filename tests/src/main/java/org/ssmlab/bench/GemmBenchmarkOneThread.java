package org.ssmlab.bench;

import org.openjdk.jmh.annotations.Fork;

/** JMH: {@link GemmBenchmark} with the engine limited to one thread. */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dssmlab.threads=1"})
public class GemmBenchmarkOneThread extends GemmBenchmark {
}
