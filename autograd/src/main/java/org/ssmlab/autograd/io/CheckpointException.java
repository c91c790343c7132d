package org.ssmlab.autograd.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file whose content is wrong: not a valid safetensors file, or one that does not fit
 * the tensors it is loaded into. The message names the file and, where there is one, the tensor.
 *
 * <p>It is an {@link IOException} on purpose: reading a checkpoint already throws {@code IOException}
 * for a missing or unreadable file, and a corrupt file is the same kind of failure — outside the
 * program, to be reported, not a bug. Callers who only care that loading failed catch
 * {@code IOException}; callers who want to tell "the file is bad" from "the disk is bad" catch this
 * subclass first.
 */
public class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    /** A problem with {@code file} described by {@code detail}. */
    public CheckpointException(Path file, String detail) {
        super(file + ": " + detail);
    }

    /** A problem with {@code file} described by {@code detail}, caused by {@code cause}. */
    public CheckpointException(Path file, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
    }
}
