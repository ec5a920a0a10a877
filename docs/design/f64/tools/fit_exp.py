#!/usr/bin/env python3
"""Fits r(t) ~ (e^t - 1 - t)/t^2 on [-H, H] (H just above ln2/2) for the double exp core:
Chebyshev interpolation, then a few Lawson iterations toward minimax (relative error of r),
each coefficient rounded to double, the rest refitted after each rounding. Prints the
coefficients in hex-float and the error of t^2 r(t) relative to e^t and of p = t + t^2 r(t)
relative to e^t - 1, on a dense grid, in exact (mpmath) arithmetic with the rounded
coefficients."""
import sys
import mpmath
from mpmath import mp, mpf
mp.prec = 200
H = mpf('0.3466')  # ln2/2 = 0.34657359...
DEG = int(sys.argv[1]) if len(sys.argv) > 1 else 9

def r_exact(t):
    if t == 0: return mpf(1) / 2
    return (mpmath.expm1(t) - t) / (t * t)

def fit(deg, fixed):
    """Weighted least squares with Lawson weights -> near-minimax relative error; fixed: dict i->value."""
    N = 4 * (deg + 1) + 40
    nodes = [H * mpmath.cos(mpmath.pi * (k + mpf(1) / 2) / N) for k in range(N)]
    vals = [r_exact(t) for t in nodes]
    w = [mpf(1)] * N
    free = [i for i in range(deg + 1) if i not in fixed]
    for it in range(60):
        A = mpmath.matrix(N, len(free)); b = mpmath.matrix(N, 1)
        for k, t in enumerate(nodes):
            sw = mpmath.sqrt(w[k]) / vals[k]
            rest = sum(fixed[i] * t ** i for i in fixed)
            for j, i in enumerate(free): A[k, j] = sw * t ** i
            b[k] = sw * (vals[k] - rest)
        c = mpmath.lu_solve(A.T * A, A.T * b)
        coef = dict(fixed)
        for j, i in enumerate(free): coef[i] = c[j]
        err = [abs(sum(coef[i] * t ** i for i in coef) / vals[k] - 1) for k, t in enumerate(nodes)]
        s = sum(w[k] * err[k] for k in range(N))
        w = [w[k] * err[k] / s for k in range(N)]
    return coef

def to_hex(v):
    return float(v).hex()

fixed = {}
for i in range(DEG + 1):
    coef = fit(DEG, fixed)
    fixed[i] = mpf(float(coef[i]))  # round coefficient i to double, refit the rest
coef = fixed
# error on a dense grid, exact arithmetic with the double coefficients
worst_r = worst_e = worst_p = mpf(0)
M = 4000
for k in range(-M, M + 1):
    t = H * k / M
    r = sum(coef[i] * t ** i for i in coef)
    re = r_exact(t)
    worst_r = max(worst_r, abs(r / re - 1))
    worst_e = max(worst_e, abs(t * t * (r - re)) / mpmath.exp(t))
    if t != 0: worst_p = max(worst_p, abs(t * t * (r - re) / mpmath.expm1(t)))
print(f'degree {DEG} (p{DEG + 2}): rel err of r 2^{float(mpmath.log(worst_r, 2)):.2f}, '
      f'of e^t 2^{float(mpmath.log(worst_e, 2)):.2f}, of e^t-1 2^{float(mpmath.log(worst_p, 2)):.2f}')
for i in range(DEG + 1):
    print(f'C{i + 2} = {to_hex(coef[i])}  // {float(coef[i])!r}   1/{i+2}! = {float(1 / mpmath.factorial(i + 2))!r}')
