#!/usr/bin/env python3
"""Writes test/fixtures/double-reference.json: inputs and correctly rounded double results of
every single-result function of the registry (src/functions.ts), computed with mpmath at 256
bits. test/double.test.ts checks the Float64Array and number paths against it. Run it again
(python3 scripts/double-reference.py, needs mpmath) after adding a function; the test fails
while a function of the registry is missing here.

Inputs: a deterministic spread over every binade of both signs, dense near 0 and around each
function's regime changes and roots (down to 1e-14 from the roots of gelu' and geluTanh'), the
tails up to where the results underflow, and the subnormal band.
"""
import json, math, random, struct
from pathlib import Path
import mpmath
from mpmath import mp, mpf

mp.prec = 256

def sigma(x):
    return 1 / (1 + mpmath.exp(-x))

def normal_cdf(x):
    """Phi(x) = erfc(-x/sqrt 2)/2. mpmath's erfc fails below x = -1e154, where Phi(x) < 2^(-10^300):
    there 0 stands in for it, which changes neither x Phi(x) nor Phi(x) + x phi(x) once rounded (-0)."""
    return mpf(0) if x < -1e150 else mpmath.erfc(-x / mpmath.sqrt(2)) / 2

def normal_pdf(x):
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)

# GELU's tanh form, with the two constants rounded to double as PyTorch's float64 tensors use them:
# the reference is the exact function of these two doubles.
GELU_TANH_C = mpf(float(mpmath.sqrt(2 / mpmath.pi)))
GELU_TANH_K = mpf(0.044715)

def gelu_tanh_u(x):
    return 2 * GELU_TANH_C * (x + GELU_TANH_K * x ** 3)

def gelu_tanh_du(x):
    return 2 * GELU_TANH_C * (1 + 3 * GELU_TANH_K * x * x)

REFERENCES = {
    'sigmoid': sigma,
    'sigmoidDerivative': lambda x: sigma(x) * sigma(-x),
    'sigmoidDerivativeFromOutput': lambda y: y * (1 - y),
    'silu': lambda x: x * sigma(x),
    'tanh': mpmath.tanh,
    'tanhDerivative': lambda x: 1 / mpmath.cosh(x) ** 2,
    'tanhDerivativeFromOutput': lambda y: (1 - y) * (1 + y),
    'siluDerivative': lambda x: sigma(x) * (1 + x * sigma(-x)),
    'softplus': lambda x: mpmath.log1p(mpmath.exp(x)),
    'logSigmoid': lambda x: -mpmath.log1p(mpmath.exp(-x)),
    'logSigmoidDerivative': lambda x: sigma(-x),
    'gelu': lambda x: x * normal_cdf(x),
    'geluDerivative': lambda x: normal_cdf(x) + x * normal_pdf(x),
    'geluTanh': lambda x: x * sigma(gelu_tanh_u(x)),
    'geluTanhDerivative': lambda x: sigma(gelu_tanh_u(x)) * (1 + x * gelu_tanh_du(x) * sigma(-gelu_tanh_u(x))),
}

def to_double(v):
    """v rounded to the nearest double (ties to even), subnormals included."""
    if v == 0:
        return 0.0
    man, exp = mpmath.frexp(v)  # v = man * 2^exp, 0.5 <= |man| < 1
    exp = int(exp)
    bits = 53 if exp - 1 >= -1022 else 53 - (-1022 - (exp - 1))
    if bits <= 0:
        return math.copysign(0.0, float(man)) if abs(v) <= mpf(2) ** -1075 else math.copysign(2.0 ** -1074, float(man))
    scaled = mpmath.ldexp(man, bits)
    n = int(mpmath.nint(scaled))  # mpmath.nint rounds half to even
    return math.ldexp(n, exp - bits)

def inputs(seed):
    rng = random.Random(seed)
    xs = set()
    for e in range(-1074, 1024, 3):
        for sign in (1, -1):
            xs.add(sign * math.ldexp(1 + rng.random(), e) if e > -1023 else sign * math.ldexp(rng.random(), e))
    for _ in range(1500):
        xs.add(rng.uniform(-40, 40))
    for _ in range(600):
        xs.add(rng.uniform(-800, 800))
    for _ in range(400):
        xs.add(rng.uniform(-746, -700))
    for centre in (0.0, -1.2784645427610738, 1.2784645427610738, 36.0, -36.0, 708.0, -708.0):
        for _ in range(200):
            xs.add(centre + rng.uniform(-1e-3, 1e-3))
    # The cut-offs of softplus, logSigmoid and logSigmoid' (38, 40, 746) and of gelu and geluTanh
    # (10, -39, 8, -22), the ends of the polynomials around the roots of gelu' and geluTanh', the
    # last subnormal results of gelu (-38.5) and geluTanh (-21.6), and the roots themselves.
    for centre in (38.0, -38.0, 40.0, -40.0, 746.0, -746.0, 10.0, -39.0, 8.0, -22.0,
                   -1.2, -0.35, -0.9524614220710162, -0.5524614220710162):
        for _ in range(50):
            xs.add(centre + rng.uniform(-1e-3, 1e-3))
    for _ in range(150):
        xs.add(rng.uniform(-39.5, -37))
        xs.add(rng.uniform(-22.5, -20))
    for root in (-0.7517915246935645, -0.7524614220710162):
        for scale in (1e-3, 1e-8, 1e-14):
            for _ in range(50):
                xs.add(root + rng.uniform(-scale, scale))
    for k in range(1, 400):
        xs.add(k / 1024)
        xs.add(-k / 1024)
    return sorted(x for x in xs if math.isfinite(x))

def main():
    out = {}
    for name, f in REFERENCES.items():
        xs = inputs(name)
        if name.endswith('FromOutput'):
            xs = [x for x in xs if abs(x) < 1e150] + [i / 997 for i in range(998)]
        rows = []
        for x in xs:
            y = to_double(f(mpf(x)))
            if math.isfinite(y):
                rows.append([x, y])
        out[name] = rows
    path = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'double-reference.json'
    text = json.dumps({'generated': 'GENERATED by scripts/double-reference.py (mpmath, 256 bits): do not edit.', 'functions': out})
    path.write_text(text + '\n')
    print(f'{path}: ' + ', '.join(f'{k} {len(v)}' for k, v in out.items()))

if __name__ == '__main__':
    main()
