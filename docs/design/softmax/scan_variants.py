# Float32 exponential variants for the float32 pass 2, run over every float32 z in [2^-12, 128)
# through the whole reduction (z exact; the TwoSum low part is tested by check rows), s = 1:
#   A1 A with t's rounding added back: P = RN(ts + RN(q + tl s));  A2 B without tl (w = RN(e1 + q))
#   A  exp.ts's form:  t = RN(A + B);  P = RN(ts + q);  E = RN(s + P);  S gets s + P exactly
#   B  compensated:    t = RN(A + B), tl = B - (t - A);  h = RN(s + ts), e1 = ts - (h - s);
#                      w = RN(RN(e1 + q) + tl s);  E = RN(h + w);  S gets h + w exactly
# with A = n MHI - z (exact), B = n MLO - zl, q = RN(ts RN(t r)).
# Relative errors against e^-z (as 2^n e^t, t in double-double), in units of 2^-24:
#   eps_o  = (S's term - exact) / exact          signed: the sum's correlated error
#   eps_st = |stored E - exact| / exact
# and the softmax bound   2^24 max(eps_st) + 2^24 max|eps_o| + 0.5 + 0.01.
#   nice -n 19 python3 docs/design/softmax/scan_variants.py
import numpy as np, sys
f = np.float32
u = lambda v: np.array([v], dtype=np.uint32).view(np.float32)[0]
C2, C3, C4, C5, C6 = (u(v) for v in (0x3EFFFFFE, 0x3E2AAA0D, 0x3D2AAC11, 0x3C0933C1, 0x3AB57399))
MINUS_LOG2E, MAGIC, MHI, MLO = u(0xBFB8AA3B), u(0x4B4000BF), u(0xBF317200), u(0xB5BFBE8E)
LN2HI, LN2LO = 0.6931471805599453, 2.3190468138462996e-17

def variant(z, zl, kind):
    biased = z * MINUS_LOG2E + MAGIC
    n = biased - MAGIC
    A = n * MHI - z
    B = n * MLO - zl
    t = A + B
    t2 = t * t
    r01 = C3 * t + C2
    r23 = C5 * t + C4
    r = (r23 * t2 + r01) + C6 * (t2 * t2)
    ts = t  # s = 1
    q = ts * (t * r)
    one = f(1)
    if kind == 'A':
        P = ts + q
        E = P + one
        Ssum = one.astype(np.float64) + P.astype(np.float64)
    elif kind == 'A1':  # A with t's rounding added back: P = ts + (q + tl s)
        tl = B - (t - A)
        P = ts + (q + tl * one)
        E = P + one
        Ssum = one.astype(np.float64) + P.astype(np.float64)
    elif kind == 'A2':  # B without tl: w = e1 + q
        h = one + ts
        e1 = ts - (h - one)
        w = e1 + q
        E = h + w
        Ssum = h.astype(np.float64) + w.astype(np.float64)
    else:
        tl = B - (t - A)
        h = one + ts
        e1 = ts - (h - one)
        w = (e1 + q) + tl * one
        E = h + w
        Ssum = h.astype(np.float64) + w.astype(np.float64)
    tt = (-z.astype(np.float64) - zl.astype(np.float64) - n.astype(np.float64) * LN2HI) - n.astype(np.float64) * LN2LO
    ex = np.exp(tt)
    return (Ssum - ex) / ex * 2**24, np.abs(E.astype(np.float64) - ex) / ex * 2**24

for kind in sys.argv[1:] or ['A', 'B']:
    wo_p = wo_m = ws = 0.0
    at = {}
    for e in range(-12, 7):
        z = np.arange(np.float32(2.0**e).view(np.uint32), np.float32(2.0**(e + 1)).view(np.uint32), dtype=np.uint32).view(np.float32)
        for zl_scale in (0.0, 0.5, -0.5):
            zl = (z * f(2.0**-24 * zl_scale)).astype(np.float32) if zl_scale else np.zeros_like(z)
            eo, est = variant(z, zl, kind)
            for name, v in (('eps_o+', eo), ('eps_o-', -eo), ('eps_st', est)):
                i = int(np.argmax(v))
                if v[i] > at.get(name, (0,))[0]:
                    at[name] = (float(v[i]), float(z[i]), float(zl[i]))
    for k, v in at.items():
        print(f'{kind}: {k:7s} {v[0]:.4f} x 2^-24 at z = {v[1]!r} zl = {v[2]!r}')
    eo = max(at['eps_o+'][0], at['eps_o-'][0])
    print(f'{kind}: softmax bound (y in double) {at["eps_st"][0] + eo + 0.51:.3f} ulp; with y = RN32(E RN32(1/S)): {at["eps_st"][0] + eo + 1.51:.3f}; '
          f'worst pair of opposite signs {at["eps_st"][0] + max(at["eps_o-"][0], at["eps_o+"][0]) :.3f} x 2^-24')
