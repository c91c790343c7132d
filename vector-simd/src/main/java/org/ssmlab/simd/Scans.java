package org.ssmlab.simd;

/**
 * Scan kernels: the diagonal recurrence of Eq. 1 ({@code h_t = a_t ⊙ h_{t-1} + b_t}) and Mamba's fused
 * selective scan, forward and backward. (Filled in by the scans work; see THEORY.md §1 and §6.)
 */
public interface Scans {
}
