package org.ssmlab.ssm.core;

/**
 * What a mixer carries from one position to the next in recurrent mode: the SSM state h, a
 * convolution window, a key/value cache. Each mixer defines its own; callers only pass it back.
 */
public interface RecurrentState {
}
