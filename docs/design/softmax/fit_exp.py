# Fits r(t) = c2 + c3 t + c4 t^2 + c5 t^3 + c6 t^4 so that 1 + t + t^2 r(t) ~ e^t on
# [-ln2/2, ln2/2] with minimal relative error (Lawson's iteratively reweighted least squares),
# rounds the coefficients to double, and reports the error with mpmath.
import numpy as np, mpmath as mp
mp.mp.prec = 120
h = float(mp.log(2) / 2)
N = 4000
t = np.cos(np.pi * (np.arange(N) + 0.5) / N) * h
t_mp = [mp.mpf(v) for v in t]
target = np.array([float((mp.exp(v) - 1 - v) / v**2) if v != 0 else 0.5 for v in t_mp])
ex = np.exp(t)
A = np.vander(t, 5, increasing=True) * (t**2 / ex)[:, None]
b = target * t**2 / ex
w = np.ones(N) / N
for it in range(200):
    sw = np.sqrt(w)
    c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
    err = np.abs(A @ c - b)
    w = w * err
    w /= w.sum()
def relerr(c):
    worst = mp.mpf(0)
    for v in np.linspace(-h, h, 20001):
        v = mp.mpf(v)
        p = 1 + v + v**2 * (mp.mpf(c[0]) + v * (mp.mpf(c[1]) + v * (mp.mpf(c[2]) + v * (mp.mpf(c[3]) + v * mp.mpf(c[4])))))
        worst = max(worst, abs(p / mp.exp(v) - 1))
    return worst
e = relerr(c)
print("max relative error", mp.nstr(e, 5), "= 2^%.2f" % float(mp.log(e, 2)))
for i, v in enumerate(c):
    print(f"E{i+2} = {float(v).hex()}  {v!r}")
ln2 = mp.log(2)
# ln2 split: the high part keeps 32 significant bits, so k * LN2_HI is exact for |k| < 2^21.
hi = float(mp.floor(ln2 * 2**32) / 2**32)
lo = float(ln2 - hi)
print("LN2_HI", hi.hex(), "LN2_LO", lo.hex(), "check", mp.nstr(mp.mpf(hi) + mp.mpf(lo) - ln2, 5))
print("LOG2E", float(1/ln2).hex(), "-LN2 hi/lo for exp:")
# exp reduction split: high part with 32 bits -> n * hi exact for |n| < 2^21
print("SQRT2", float(mp.sqrt(2)).hex())
for j in range(1, 11):
    print(f"A{j} = 2/{2*j+1} = {float(mp.mpf(2)/(2*j+1)).hex()}")
