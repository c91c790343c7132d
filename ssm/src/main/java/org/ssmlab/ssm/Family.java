package org.ssmlab.ssm;

import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.ssm.core.Block;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.ResidualBlock;
import org.ssmlab.ssm.mixers.TransformerBlock;
import org.ssmlab.ssm.mixers.AttentiveStateMixer;
import org.ssmlab.ssm.mixers.GriffinMixer;
import org.ssmlab.ssm.mixers.H3Mixer;
import org.ssmlab.ssm.mixers.MambaMixer;
import org.ssmlab.ssm.mixers.MatrixStateMixer;
import org.ssmlab.ssm.mixers.Rwkv4Mixer;
import org.ssmlab.ssm.mixers.S4DMixer;
import org.ssmlab.ssm.core.Polarization;

/**
 * The model families of the project by name, and the one place that turns a name and sizes into
 * blocks and language models. Every family but the transformer is an instance of Eq. 1 (H3: its diagonal
 * SSM; its shift SSM is Eq. 1 with a shift matrix, see {@link H3Mixer}).
 */
public enum Family {
    MAMBA, S4D, S4D_COMPLEX, LINEAR_ATTENTION, RETNET, GLA, RWKV4, GRIFFIN, H3, ATTENTIVE, TRANSFORMER;

    /** The sizes a family is built with; {@code heads} is used by attention and the matrix-state families. */
    public record Spec(int dModel, int dState, int heads, Polarization polarization) {
        public Spec {
            if (dModel < 1 || dState < 1 || heads < 1) {
                throw new IllegalArgumentException("Family.Spec: d_model = " + dModel + ", d_state = " + dState
                        + ", heads = " + heads + " must be positive");
            }
        }
    }

    /** Parses a family name (any case, '-' or '_'), listing the names on failure. */
    public static Family parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Family f : values()) {
            if (f.name().equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("model '" + text + "' is not one of " + names());
    }

    /** The names, lower case, for messages and help texts. */
    public static String names() {
        StringBuilder sb = new StringBuilder();
        for (Family f : values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(f.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return sb.toString();
    }

    /** Whether the family can take polarized state channels. */
    public boolean polarizable() {
        return this == MAMBA || this == S4D || this == S4D_COMPLEX || this == RETNET || this == GLA || this == GRIFFIN
                || this == H3;
    }

    /** The polarizable families' names, for messages. */
    public static String polarizableNames() {
        StringBuilder sb = new StringBuilder();
        for (Family f : values()) {
            if (f.polarizable()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(f.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        }
        return sb.toString();
    }

    /** A mixer of this family (for the transformer: its attention). */
    public Mixer mixer(Spec s, SplittableRandom rng) {
        if (!polarizable() && s.polarization() != Polarization.NONE) {
            throw new IllegalArgumentException(name().toLowerCase(Locale.ROOT) + " cannot be polarized (polarizable: "
                    + polarizableNames() + ")");
        }
        return switch (this) {
            case MAMBA -> new MambaMixer(MambaMixer.Config.of(s.dModel(), s.dState(), s.polarization()), rng);
            case S4D -> new S4DMixer(s.dModel(), s.dState(), s.polarization(), rng);
            case S4D_COMPLEX -> new org.ssmlab.ssm.mixers.S4DComplexMixer(s.dModel(), s.dState(), s.polarization(), rng);
            case LINEAR_ATTENTION -> new MatrixStateMixer(MatrixStateMixer.Kind.LINEAR_ATTENTION, s.dModel(), s.heads(),
                    s.polarization(), rng);
            case RETNET -> new MatrixStateMixer(MatrixStateMixer.Kind.RETNET, s.dModel(), s.heads(), s.polarization(), rng);
            case GLA -> new MatrixStateMixer(MatrixStateMixer.Kind.GLA, s.dModel(), s.heads(), s.polarization(), rng);
            case RWKV4 -> new Rwkv4Mixer(s.dModel(), rng);
            case GRIFFIN -> new GriffinMixer(s.dModel(), s.polarization(), rng);
            case H3 -> new H3Mixer(s.dModel(), s.dState(), s.polarization(), rng);
            case ATTENTIVE -> new AttentiveStateMixer(s.dModel(), s.dState(), rng);
            case TRANSFORMER -> new org.ssmlab.ssm.mixers.CausalSelfAttention(s.dModel(), s.heads(), true, rng);
        };
    }

    /** A block of this family: the transformer block, or a pre-norm residual block around the mixer. */
    public Block block(Spec s, SplittableRandom rng) {
        return this == TRANSFORMER ? new TransformerBlock(s.dModel(), s.heads(), true, rng) : new ResidualBlock(mixer(s, rng));
    }

    /** A language model of {@code layers} blocks of this family, head tied to the embedding. */
    public LanguageModel languageModel(int vocab, int layers, Spec s, long seed) {
        return new LanguageModel(vocab, s.dModel(), layers, (i, rng) -> block(s, rng), true, 0, new SplittableRandom(seed));
    }
}
