package org.ssmlab.ssm.core;

import org.ssmlab.autograd.Tensor;

/**
 * A mixer that is Eq. 1 with a complex diagonal transition, split into its terms and its readout so
 * that the theorems can be checked on it (docs/theory.md §3, Theorem D.2): h_t = a_t ⊙ h_{t-1} + B_t x_t
 * in complex arithmetic, h_0 = 0, y = readout(x, h).
 */
public interface ComplexEq1Terms {

    /** {a_re, a_im, bx_re, bx_im}, each (batch, L, C), for x (batch, L, d). */
    Tensor[] complexTerms(Tensor x);

    /** y (batch, L, d) from the input and the states (re, im), each (batch, L, C). */
    Tensor complexReadout(Tensor x, Tensor hRe, Tensor hIm);
}
