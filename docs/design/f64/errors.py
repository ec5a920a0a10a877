#!/usr/bin/env python3
"""Errors of the double kernels against mpmath (128-bit working precision), on the inputs and
results harness.ts wrote to data/. For each function: the largest distance in ulp to the
correctly rounded result ("max ulp"), the largest unrounded error |result - exact| / ulp
("max error"; ulp of the exact value's binade, at least 2^-1074), the share correctly rounded,
and the counts at 0 / 1 / 2 / 3 / more ulp. A function with a root band (silu') is measured in
ulp outside it and in absolute error inside it. Usage, for some families (default: all):
  nice -n 19 python3 errors.py [limit] [sigmoid] [tanh] [silu] [softplus] [gelu] [geluTanh]"""
import math, os, struct, sys, time
from pathlib import Path
import numpy as np
from mpmath.libmp import (from_float, from_int, mpf_exp, mpf_log, mpf_add, mpf_sub, mpf_mul, mpf_div, mpf_neg, mpf_abs,
                          fone, fzero, to_float, normalize, round_nearest, round_floor)

PREC = 128
DATA = Path(__file__).resolve().parent / os.environ.get('F64_DATA', 'data')
LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != '-' else None
ONLY = sys.argv[2:]

def load(name):
    a = np.fromfile(DATA / f'{name}.f64', dtype='<f8')
    return a if LIMIT is None else a[:LIMIT]

def top(v):
    """floor(log2 |v|) of a nonzero raw mpf."""
    _, man, exp, bc = v
    return exp + bc - 1

def correctly_rounded(v):
    """The double nearest the raw mpf v (ties to even), subnormals and overflow to inf included."""
    if v == fzero:
        return 0.0
    sign, man, exp, bc = v
    e = top(v)
    if e >= -1022:
        r = normalize(sign, man, exp, bc, 53, round_nearest)
        return to_float(r)  # a 53-bit value in the normal range converts exactly
    if e < -1075:
        return -0.0 if sign else 0.0  # below half the least subnormal
    # subnormal: round v * 2^1074 to an integer, ties to even
    shift = exp + 1074
    if shift >= 0:
        k = man << shift
    else:
        q, rem = divmod(man, 1 << -shift)
        half = 1 << (-shift - 1)
        k = q + (1 if rem > half or (rem == half and q & 1) else 0)
    return (-1.0 if sign else 1.0) * math.ldexp(k, -1074)

def ulps_apart(a, b):
    """Doubles between a and b (both finite)."""
    ia = struct.unpack('<q', struct.pack('<d', a))[0]
    ib = struct.unpack('<q', struct.pack('<d', b))[0]
    if ia < 0: ia = -(ia & 0x7fffffffffffffff)
    if ib < 0: ib = -(ib & 0x7fffffffffffffff)
    return abs(ia - ib)

class Stats:
    def __init__(self, name):
        self.name = name; self.n = 0; self.exact = 0; self.hist = [0, 0, 0, 0, 0]
        self.max_ulp = 0; self.max_ulp_at = None; self.max_err = 0.0; self.max_err_at = None; self.skipped = 0
    def add(self, x, got, v):
        if math.isnan(got) or math.isinf(got):
            self.skipped += 1; return
        self.n += 1
        want = correctly_rounded(v)
        d = ulps_apart(got, want)
        self.hist[min(d, 4)] += 1
        if d == 0: self.exact += 1
        if d > self.max_ulp: self.max_ulp, self.max_ulp_at = d, x
        if v == fzero:
            err = 0.0 if got == 0 else math.inf
        else:
            ulp_exp = max(top(v) - 52, -1074)
            diff = mpf_abs(mpf_sub(from_float(got), v, PREC))
            err = to_float((diff[0], diff[1], diff[2] - ulp_exp, diff[3])) if diff != fzero else 0.0  # diff / 2^ulp_exp
        if err > self.max_err: self.max_err, self.max_err_at = err, x
    def row(self):
        return (f'| {self.name} | {self.max_ulp} | {self.max_ulp_at!r} | {self.max_err:.3f} | {self.max_err_at!r} | '
                f'{100 * self.exact / self.n:.3f}% | {" / ".join(map(str, self.hist))} | {self.n} |')

def tanh_small(x):
    """tanh x for |x| < 2^-20 from its series (the next term, 62 x^9/2835, is below 2^-180 x)."""
    fx = from_float(x)
    x2 = mpf_mul(fx, fx, PREC)
    x3 = mpf_mul(x2, fx, PREC)
    x5 = mpf_mul(x3, x2, PREC)
    x7 = mpf_mul(x5, x2, PREC)
    s = mpf_sub(fx, mpf_div(x3, from_int(3), PREC), PREC)
    s = mpf_add(s, mpf_div(mpf_mul(x5, from_int(2), PREC), from_int(15), PREC), PREC)
    return mpf_sub(s, mpf_div(mpf_mul(x7, from_int(17), PREC), from_int(315), PREC), PREC)

def sigmoid_refs(x):
    e = mpf_exp(from_float(-abs(x)), PREC)  # e^-|x|
    d = mpf_add(fone, e, PREC)
    return {'sigmoid': mpf_div(fone if x > 0 else e, d, PREC), 'sigmoidDerivative': mpf_div(e, mpf_mul(d, d, PREC), PREC)}

def tanh_refs(x):
    e = mpf_exp(from_float(-2 * abs(x)), PREC)  # e^-2|x| (2|x| exact, or inf: e = 0)
    d = mpf_add(fone, e, PREC)
    t = tanh_small(x) if abs(x) < 2 ** -20 else mpf_div(mpf_sub(fone, e, PREC), d, PREC)
    if x < 0 and abs(x) >= 2 ** -20:
        t = mpf_neg(t)
    return {'tanh': t, 'tanhDerivative': mpf_div(mpf_mul(from_int(4), e, PREC), mpf_mul(d, d, PREC), PREC)}

def silu_refs(x):
    fx = from_float(x)
    e = mpf_exp(from_float(-abs(x)), PREC)
    d = mpf_add(fone, e, PREC)
    if x > 0:
        g = mpf_div(fone, d, PREC)  # sigma(x)
        return {'silu': mpf_mul(fx, g, PREC),
                'siluDerivative': mpf_mul(g, mpf_add(fone, mpf_mul(fx, mpf_div(e, d, PREC), PREC), PREC), PREC)}
    f = mpf_div(e, d, PREC)  # sigma(x)
    return {'silu': mpf_mul(fx, f, PREC),
            'siluDerivative': mpf_mul(f, mpf_add(fone, mpf_div(fx, d, PREC), PREC), PREC)}

def log1p_small(e):
    """log1p(e) for 0 <= e <= 1: the series below 2^-40 (next term e^5/5), else log of 1 + e summed at 256 bits."""
    if e == fzero:
        return fzero
    if top(e) < -40:
        e2 = mpf_mul(e, e, PREC)
        e3 = mpf_mul(e2, e, PREC)
        e4 = mpf_mul(e3, e, PREC)
        s = mpf_sub(e, mpf_div(e2, from_int(2), PREC), PREC)
        s = mpf_add(s, mpf_div(e3, from_int(3), PREC), PREC)
        return mpf_sub(s, mpf_div(e4, from_int(4), PREC), PREC)
    return mpf_log(mpf_add(fone, e, 256), PREC)

def softplus_refs(x):
    fx = from_float(x)
    e = mpf_exp(from_float(-abs(x)), PREC)  # e^-|x|
    l = log1p_small(e)
    d = mpf_add(fone, e, PREC)
    # softplus(x) = max(x, 0) + log1p(e); logSigmoid(x) = min(x, 0) - log1p(e); logSigmoid'(x) = sigma(-x)
    return {'softplus': mpf_add(fx, l, PREC) if x > 0 else l,
            'logSigmoid': mpf_sub(fx, l, PREC) if x < 0 else mpf_neg(l),
            'logSigmoidDerivative': mpf_div(e if x > 0 else fone, d, PREC)}

# geluTanh: u = K0 x + K1 x^3 with c and k the doubles src/double.ts and the kernels start from,
# K0 = 2c and K1 = 2ck exact (mpf products without rounding).
GT_K0 = from_float(2 * float.fromhex('0x1.9884533d43651p-1'))
GT_K1 = mpf_mul(GT_K0, from_float(0.044715))
GT_K1_3 = mpf_mul(GT_K1, from_int(3))

def gelu_tanh_refs(x):
    z = from_float(abs(x))
    z3 = mpf_mul(mpf_mul(z, z), z)
    u = mpf_add(mpf_mul(GT_K0, z), mpf_mul(GT_K1, z3))  # u(|x|) >= 0, exact
    a = mpf_add(mpf_mul(GT_K0, z), mpf_mul(GT_K1_3, z3))  # |x| u'(|x|), exact
    e = mpf_exp(mpf_neg(u), PREC)  # e^-u
    d = mpf_add(fone, e, PREC)
    fx = from_float(x)
    if x > 0:
        g = mpf_div(fone, d, PREC)  # sigma(u)
        f = mpf_div(e, d, PREC)  # sigma(-u)
        return {'geluTanh': mpf_mul(fx, g, PREC),
                'geluTanhDerivative': mpf_mul(g, mpf_add(fone, mpf_mul(f, a, PREC), PREC), PREC)}
    f = mpf_div(e, d, PREC)  # sigma(x u'(x)...): sigma(u(x)) = sigma(-u(|x|))
    # geluTanh'(x) = f (1 - a (1 - f)) = f (1 + e - a)/(1 + e), the bracket summed at 256 bits
    return {'geluTanh': mpf_mul(fx, f, PREC),
            'geluTanhDerivative': mpf_mul(f, mpf_div(mpf_sub(mpf_add(fone, e, 256), a, 256), d, PREC), PREC)}

# gelu: x Phi(x) and Phi(x) + x phi(x) from mpmath's erfc at 128 bits (Phi(x) = erfc(-x/sqrt 2)/2);
# x/sqrt 2 is rounded at 128 bits, 2^-128 relative, far below what is measured.
import mpmath
mpmath.mp.prec = PREC

TINY_NEGATIVE = mpmath.mpf(-1) * mpmath.mpf(2) ** -3000

def gelu_refs(x):
    if abs(x) > 40:  # beyond, gelu is x or a negative below 2^-1100, gelu' is 1 or such a negative
        return ({'gelu': from_float(x), 'geluDerivative': fone} if x > 0 else
                {'gelu': TINY_NEGATIVE._mpf_, 'geluDerivative': TINY_NEGATIVE._mpf_})
    fx = mpmath.mpf(x)
    cdf = mpmath.erfc(-fx / mpmath.sqrt(2)) / 2
    pdf = mpmath.exp(-fx * fx / 2) / mpmath.sqrt(2 * mpmath.pi)
    return {'gelu': (fx * cdf)._mpf_, 'geluDerivative': (cdf + fx * pdf)._mpf_}

# family: (its functions of x, their references, its function of the output and that one's input file and reference)
FAMILIES = {
    'sigmoid': (['sigmoid', 'sigmoidDerivative'], sigmoid_refs,
                ('sigmoidDerivativeFromOutput', 'sigma-output', lambda y: mpf_mul(y, mpf_sub(fone, y, PREC), PREC))),
    'tanh': (['tanh', 'tanhDerivative'], tanh_refs,
             ('tanhDerivativeFromOutput', 'tanh-output', lambda y: mpf_mul(mpf_sub(fone, y, PREC), mpf_add(fone, y, PREC), PREC))),
    'silu': (['silu', 'siluDerivative'], silu_refs, None),
    'softplus': (['softplus', 'logSigmoid', 'logSigmoidDerivative'], softplus_refs, None),
    'gelu': (['gelu', 'geluDerivative'], gelu_refs, None),
    'geluTanh': (['geluTanh', 'geluTanhDerivative'], gelu_tanh_refs, None),
}
# The GELU families read their own input mix (harness.ts: inputsX(n, true)).
INPUTS = {'geluTanh': 'xg', 'gelu': 'xg'}
# Root bands: (from, to, the unit of the absolute error reported there, its name).
BANDS = {'siluDerivative': (-1.39, -0.52, 2.0 ** -55, 'ulp(sigma(x0)) = 2^-55'),
         'geluTanhDerivative': tuple(map(float, os.environ.get('GT_BAND', '-0.85 -0.32').split())) + (2.0 ** -55, 'ulp(f(x0)) = 2^-55')}

class Band:
    def __init__(self, name, lo, hi, unit, unit_name):
        self.name = name; self.lo = lo; self.hi = hi; self.unit = unit; self.unit_name = unit_name
        self.n = 0; self.max_abs = 0.0; self.max_at = None; self.over = []  # x where the error exceeds 3 ulp
    def add(self, x, got, v):
        self.n += 1
        diff = to_float(mpf_abs(mpf_sub(from_float(got), v, PREC))) / self.unit
        if diff > self.max_abs: self.max_abs, self.max_at = diff, x
        ulp_exp = max(top(v) - 52, -1074) if v != fzero else -1074
        if diff * self.unit > 3 * 2.0 ** ulp_exp: self.over.append(x)
    def row(self):
        if self.max_abs == 0:
            return f'{self.name} on [{self.lo}, {self.hi}]: {self.n} inputs, no error'
        return (f'{self.name} on [{self.lo}, {self.hi}]: max absolute error {self.max_abs:.3f} {self.unit_name} '
                f'(= 2^{math.log2(self.max_abs * self.unit):.2f}) at x = {self.max_at!r}, {self.n} inputs; '
                f'over 3 ulp: {len(self.over)} inputs' + (f', x in [{min(self.over)!r}, {max(self.over)!r}]' if self.over else ''))

def main():
    t0 = time.time()
    stats, bands, skipped = [], [], []
    for family, (names, refs, output_fn) in FAMILIES.items():
        if ONLY and family not in ONLY:
            continue
        x = load(INPUTS.get(family, 'x'))
        got = {name: load(name) for name in names}
        st = {name: Stats(name) for name in names}
        bd = {name: Band(name, *BANDS[name]) for name in names if name in BANDS}
        for i in range(len(x)):
            xi = float(x[i])
            if math.isnan(xi) or math.isinf(xi):
                continue
            r = refs(xi)
            for name in names:
                b = bd.get(name)
                if b and b.lo <= xi <= b.hi:
                    b.add(xi, float(got[name][i]), r[name])
                else:
                    st[name].add(xi, float(got[name][i]), r[name])
            if i % 1000000 == 0 and i:
                print(f'  {family} {i} ({time.time() - t0:.0f} s)', file=sys.stderr)
        stats += st.values(); bands += bd.values()
        if output_fn:
            name, file, ref = output_fn
            y = load(file); dy = load(name)
            s = Stats(name)
            for i in range(len(y)):
                yi = float(y[i])
                s.add(yi, float(dy[i]), ref(from_float(yi)))
            stats.append(s)
    print('| function | max ulp | at x | max error (ulp, unrounded) | at x | correctly rounded | 0 / 1 / 2 / 3 / >3 ulp | inputs |')
    print('|---|---:|---|---:|---|---:|---|---:|')
    for s in stats:
        print(s.row())
    for b in bands:
        print(b.row())
    print(f'({time.time() - t0:.0f} s; NaN and infinite results skipped: {", ".join(f"{s.name} {s.skipped}" for s in stats)})')

main()
