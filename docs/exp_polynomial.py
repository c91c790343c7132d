"""The coefficients of VectorMath.exp's polynomial: e^r ~ 1 + r + c2 r^2 + ... + c6 r^6 on |r| <= ln 2 / 2.

The minimax polynomial for the relative error (p(r) - e^r) / e^r, by the Remez exchange, with the first two
coefficients held at 1 (so that exp(0) = 1 exactly and small r keep their accuracy). Prints each
coefficient rounded to float, and the largest relative error over a dense grid with those rounded
coefficients, for the degree given (default 6):

    python3 docs/exp_polynomial.py [degree]

Degree 6 gives 3.8e-9 (below a fifteenth of half an ulp, 6e-8); degree 5 gives 1.1e-7, about two
half-ulps, too close to the 2-ulp bound that VectorMathTest holds exp to.
"""
import sys

import numpy as np

HALF_LN2 = np.log(2) / 2


def relative_error(coefficients, r):
    p = 1 + r + sum(c * r ** (k + 2) for k, c in enumerate(coefficients))
    return (p - np.exp(r)) / np.exp(r)


def remez(degree, iterations=30):
    free = degree - 1                       # c2 .. c_degree
    nodes = HALF_LN2 * np.cos(np.linspace(np.pi, 0, free + 1))
    grid = np.linspace(-HALF_LN2, HALF_LN2, 200_001)
    for _ in range(iterations):
        # Solve (1 + r + sum c_k r^k - e^r) / e^r = (-1)^i E at the nodes for c_2..c_degree and E.
        rows = [[r ** k / np.exp(r) for k in range(2, degree + 1)] + [(-1) ** i] for i, r in enumerate(nodes)]
        rhs = [(np.exp(r) - 1 - r) / np.exp(r) for r in nodes]
        solution = np.linalg.solve(np.array(rows), np.array(rhs))
        coefficients = solution[:-1]
        err = relative_error(coefficients, grid)
        # The next nodes: the largest error between each pair of sign changes.
        segments = np.split(np.arange(len(grid)), np.where(np.diff(np.sign(err)) != 0)[0] + 1)
        extrema = sorted((s[np.argmax(np.abs(err[s]))] for s in segments), key=lambda i: -abs(err[i]))
        nodes = grid[sorted(extrema[:free + 1])]
    return coefficients, grid


if __name__ == "__main__":
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    coefficients, grid = remez(degree)
    rounded = [np.float32(c) for c in coefficients]
    for k, c in enumerate(rounded):
        print(f"c{k + 2} = {float(c)!r}")
    worst = np.max(np.abs(relative_error([float(c) for c in rounded], grid)))
    print(f"max_relative_error={worst:.3g} half_ulp={2.0 ** -24:.3g}")
