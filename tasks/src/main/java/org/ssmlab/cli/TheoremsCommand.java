package org.ssmlab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.theorems.BuiltInFamilies;
import org.ssmlab.theorems.MixerTheorems;
import org.ssmlab.theorems.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ssmlab theorems --family NAME}: runs the theorem properties of {@link MixerTheorems} (step equals
 * parallel, Theorem 3.1's recency bound, Theorem 4.2's smoothing factor, the polarization invariants)
 * on a built-in family and prints each property's verdict and coverage. A property whose hypotheses
 * the family does not meet is reported as outside them, not as failing. Exit code 1 when a property is
 * falsified.
 */
@Command(name = "theorems", mixinStandardHelpOptions = true,
        description = "Run the theorem properties on a built-in family: verdict and coverage per property.")
public final class TheoremsCommand implements Callable<Integer> {

    @Option(names = "--family", required = true, paramLabel = "NAME",
            description = "A family (mamba, s4d, s4d-complex, linear-attention, retnet, gla, rwkv4, griffin, attentive,"
                    + " transformer) or 'all'.")
    String family;

    @Option(names = "--examples", defaultValue = "8", description = "Samples per property (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--seed", defaultValue = "20261124", description = "QuickTheories seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--polarize", defaultValue = "both",
            description = "none|one|zero|both, for the families that can be polarized (default ${DEFAULT-VALUE}).")
    String polarize;

    @Option(names = "--max-length", defaultValue = "8", description = "Longest sampled sequence (default ${DEFAULT-VALUE}).")
    int maxLength;

    @Override
    public Integer call() {
        if (examples < 1) {
            throw new IllegalArgumentException("--examples " + examples + " must be positive");
        }
        Polarization p = Polarization.parse(polarize);
        List<Family> families = new ArrayList<>();
        if (family.equalsIgnoreCase("all")) {
            families.addAll(List.of(Family.values()));
        } else {
            families.add(Family.parse(family));
        }
        boolean falsified = false;
        for (Family f : families) {
            String label = BuiltInFamilies.label(f, p);
            List<Verdict> v = MixerTheorems.of(label, BuiltInFamilies.factory(f, p)).examples(examples).seed(seed)
                    .maxLength(maxLength).run();
            System.out.print(MixerTheorems.report(label, v));
            falsified |= v.stream().anyMatch(x -> x.status() == Verdict.Status.FALSIFIED);
        }
        return falsified ? 1 : 0;
    }
}
