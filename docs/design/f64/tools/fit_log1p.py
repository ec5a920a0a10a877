#!/usr/bin/env python3
"""Fits the log1p series for softplus64: log1p(f) = 2 atanh(s) = 2s + s R(s^2), s = f/(2 + f),
f in [-1/4, 1/2] (so s in [-1/7, 1/5], t = s^2 in [0, 1/25]). R(t) = t Q(t), Q ~ (2 atanh(s)/s - 2)/s^2
= 2/3 + 2/5 t + 2/7 t^2 + ... The error that matters is that of s R(t) relative to log1p(f),
i.e. about t/2 times Q's relative error: Lawson iterations minimise t (Q - Q*)/Q* on [0, T]
(weighted least squares from Chebyshev nodes), each coefficient rounded to double in turn and
the rest refitted, as fit_exp.py. Prints the coefficients in hex-float and the error of
2s + s R relative to log1p(f) on a dense grid of f, exact arithmetic with the rounded coefficients.
Usage: python3 fit_log1p.py [degree of Q]"""
import sys
import mpmath
from mpmath import mp, mpf
mp.prec = 200
T = mpf(1) / 25
DEG = int(sys.argv[1]) if len(sys.argv) > 1 else 7

def q_exact(t):
    if t == 0: return mpf(2) / 3
    s = mpmath.sqrt(t)
    return (2 * mpmath.atanh(s) / s - 2) / t

def fit(deg, fixed):
    N = 4 * (deg + 1) + 40
    nodes = [T / 2 * (1 + mpmath.cos(mpmath.pi * (k + mpf(1) / 2) / N)) for k in range(N)]
    vals = [q_exact(t) for t in nodes]
    w = [mpf(1)] * N
    free = [i for i in range(deg + 1) if i not in fixed]
    for it in range(40):
        A = mpmath.matrix(N, len(free)); b = mpmath.matrix(N, 1)
        for k, t in enumerate(nodes):
            sw = mpmath.sqrt(w[k]) * t / vals[k]
            rest = sum(fixed[i] * t ** i for i in fixed)
            for j, i in enumerate(free): A[k, j] = sw * t ** i
            b[k] = sw * (vals[k] - rest)
        c = mpmath.lu_solve(A.T * A, A.T * b)
        coef = dict(fixed)
        for j, i in enumerate(free): coef[i] = c[j]
        err = [abs(t * (sum(coef[i] * t ** i for i in coef) - vals[k]) / vals[k]) for k, t in enumerate(nodes)]
        s = sum(w[k] * err[k] for k in range(N))
        w = [w[k] * err[k] / s for k in range(N)]
    return coef

fixed = {}
for i in range(DEG + 1):
    coef = fit(DEG, fixed)
    fixed[i] = mpf(float(coef[i]))
coef = fixed
worst = mpf(0); at = None
M = 3000
for k in range(-M, 2 * M + 1):
    f = mpf(k) / (4 * M)  # f in [-1/4, 1/2]
    if f == 0: continue
    s = f / (2 + f); t = s * s
    approx = 2 * s + s * t * sum(coef[i] * t ** i for i in coef)
    e = abs(approx / mpmath.log1p(f) - 1)
    if e > worst: worst, at = e, f
print(f'degree {DEG}: error of 2s + s R(s^2) relative to log1p(f), f in [-1/4, 1/2]: 2^{float(mpmath.log(worst, 2)):.2f} (at f = {float(at)})')
for i in range(DEG + 1):
    print(f'R{i} = {float(coef[i]).hex()}  // {float(coef[i])!r}   2/{2 * i + 3} = {2 / (2 * i + 3)!r}')
