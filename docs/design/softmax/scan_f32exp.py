# Exhaustive scan of the float32 exponential that the float32 pass 2 uses (exp.ts's
# scaledExpm1, with s = 1: every operation scales exactly by the power of two s):
#   P = t + t * (t * r(t)),  E = RN32(1 + P)
# over every float32 t with 2^-14 <= |t| <= 0.3466 (|t| <= ln2/2 + the reduction's slack), and
# over every float32 z in [2, 4) and [64, 128) through the whole reduction (t rounded), to find
# the adversarial d. Reports, as relative errors against exp in float64 (error 2^-53):
#   eps_o(t)  = |1 + P - e^t| / e^t           the exponential before E's rounding (exact t)
#   eps_st(t) = |RN32(1 + P) - e^t| / e^t     the stored value
# and half an ulp of t (the reduction's rounding), which adds to both.
#   nice -n 19 python3 docs/design/softmax/scan_f32exp.py
import numpy as np
f = np.float32
C2, C3, C4, C5, C6 = (np.array([v], dtype=np.uint32).view(np.float32)[0] for v in (0x3EFFFFFE, 0x3E2AAA0D, 0x3D2AAC11, 0x3C0933C1, 0x3AB57399))
MINUS_LOG2E = np.array([0xBFB8AA3B], dtype=np.uint32).view(np.float32)[0]
MAGIC = np.array([0x4B4000BF], dtype=np.uint32).view(np.float32)[0]
MHI = np.array([0xBF317200], dtype=np.uint32).view(np.float32)[0]
MLO = np.array([0xB5BFBE8E], dtype=np.uint32).view(np.float32)[0]

def P_of(t):
    t2 = t * t
    r01 = C3 * t + C2
    r23 = C5 * t + C4
    r = (r23 * t2 + r01) + C6 * (t2 * t2)
    ts = t  # s = 1
    return ts + ts * (t * r)

def ulp32(a):
    a = np.abs(a.astype(np.float64))
    e = np.floor(np.log2(np.where(a > 0, a, 2.0**-149)))
    return np.ldexp(1.0, (np.maximum(e, -126) - 23).astype(np.int64))

worst = dict(eps_o=(0, 0), eps_st=(0, 0), eps_o_t=(0, 0), bound_elem=(0, 0))
for sign in (1, -1):
    for e in range(-14, -1):
        lo = np.float32(2.0**e).view(np.uint32)
        hi = np.float32(min(2.0**(e + 1), 0.3466)).view(np.uint32)
        t = (np.arange(lo, hi, dtype=np.uint32)).view(np.float32) * f(sign)
        P = P_of(t)
        ex = np.exp(t.astype(np.float64))
        Eu = 1.0 + P.astype(np.float64)
        Es = (f(1) + P).astype(np.float64)
        eo = np.abs(Eu - ex) / ex
        est = np.abs(Es - ex) / ex
        half = ulp32(t) / 2
        for name, v in (('eps_o', eo), ('eps_st', est), ('eps_o_t', eo + half), ('bound_elem', est + half)):
            i = int(np.argmax(v))
            if v[i] > worst[name][0]:
                worst[name] = (float(v[i]), float(t[i]))
for k, (v, t) in worst.items():
    print(f'{k:11s} max {v:.4e} = 2^{np.log2(v):.3f} = {v * 2**24:.4f} x 2^-24   at t = {t!r} ({np.float32(t).view(np.uint32):#010x})')
eo_t = worst['eps_o_t'][0]
be = worst['bound_elem'][0]
print(f'softmax bound (store E, S from unrounded E, y in double): 2^24 (eps_st + ulp(t)/2) + 2^24 max(eps_o + ulp(t)/2) + 0.5 + ~0.01 = {2**24 * (be + eo_t) + 0.51:.3f} ulp')
print(f'  same, y = RN32(E * RN32(1/S)) in float32: + 1 = {2**24 * (be + eo_t) + 0.51 + 1:.3f} ulp')

# The whole reduction on float32 z (z exact): find the worst z for eps_o (signed), the adversarial d.
def reduce_and_exp(z):
    biased = z * MINUS_LOG2E + MAGIC
    n = biased - MAGIC
    t = (n * MHI - z) + n * MLO
    P = P_of(t)
    return n.astype(np.float64), (1.0 + P.astype(np.float64)), (f(1) + P).astype(np.float64)
import mpmath as mp
for a, b in ((2.0, 4.0), (8.0, 16.0), (64.0, 128.0)):
    z = np.arange(np.float32(a).view(np.uint32), np.float32(b).view(np.uint32), dtype=np.uint32).view(np.float32)
    n, Eu, Es = reduce_and_exp(z)
    # e^-z / 2^n = e^(-z - n ln2) in float64: -z - n ln2 computed with a double-double ln2
    ln2hi = 0.6931471805599453; ln2lo = 2.3190468138462996e-17
    tt = (-z.astype(np.float64) - n * ln2hi) - n * ln2lo
    ex = np.exp(tt)
    rel = (Eu - ex) / ex
    relst = (Es - ex) / ex
    for name, v in (('eps_o signed max', rel), ('eps_o signed min', -rel), ('stored max', np.abs(relst))):
        i = int(np.argmax(v))
        print(f'z in [{a}, {b}): {name}: {v[i] * 2**24:+.4f} x 2^-24 at z = {float(z[i])!r} ({z[i].view(np.uint32):#010x}), t = {tt[i]:.6f}')
