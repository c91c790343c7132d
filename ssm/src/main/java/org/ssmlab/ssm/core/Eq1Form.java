package org.ssmlab.ssm.core;

import org.ssmlab.autograd.Tensor;

/**
 * A mixer that can also run as Eq. 1 written out (explicit a_t, B_t x_t, C_t and a step-by-step scan
 * from elementary ops): the readable reference its fused implementation is tested against.
 */
public interface Eq1Form {

    /** The same function as {@code forward}, computed through {@link Eq1#scan}. */
    Tensor explicitForward(Tensor x);
}
