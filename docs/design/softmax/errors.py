# Errors of the SIMD results dumped by check.ts (bit-identical to scalar and JS) against a
# float64 reference, spot-checked against mpmath (see DESIGN.md, "The reference").
#   python3 docs/design/softmax/errors.py [DIR]
import json, sys, math
import numpy as np
import mpmath as mp

d = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith('--') else '/tmp/softmax-check'
man = json.load(open(f'{d}/manifest.json'))

def ulp32(ref):
    a = np.abs(ref)
    with np.errstate(divide='ignore'):
        e = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    e = np.maximum(e, -126)
    return np.ldexp(1.0, (e - 23).astype(np.int64))

def ordered(f32):
    b = f32.view(np.int32).astype(np.int64)
    return np.where(b < 0, -(b & 0x7fffffff), b)

def stats(y, ref):
    """max unrounded error (ulp), max distance to the correctly rounded result (ulp), share exact."""
    with np.errstate(over='ignore'):
        rn_all = ref.astype(np.float32)  # beyond the float32 range: +-inf, the correct rounding
    ok = np.isfinite(rn_all) & np.isfinite(y)
    same_special = (~np.isfinite(rn_all)) & (rn_all.view(np.int32) == y.view(np.int32))
    bad_special = int(np.sum((~ok) & ~same_special & ~(np.isnan(ref) & np.isnan(y))))
    y64 = y.astype(np.float64)[ok]
    r = ref[ok]
    unrounded = np.abs(y64 - r) / ulp32(r)
    rn = r.astype(np.float32)
    dist = np.abs(ordered(y[ok]) - ordered(rn))
    return float(unrounded.max(initial=0)), int(dist.max(initial=0)), float(np.mean(dist == 0)) if dist.size else 1.0, bad_special, int(np.argmax(unrounded)) if unrounded.size else -1

def reference(x):
    """softmax, logSoftmax, logSumExp of each row of x (float64 arithmetic, see DESIGN.md)."""
    x = x.astype(np.float64)
    m = x.max(axis=1, keepdims=True)
    dd = x - m
    e = np.exp(dd)
    k = np.sum(x == m, axis=1, keepdims=True)
    R = np.sum(np.where(x == m, 0.0, e), axis=1, keepdims=True) + (k - 1)
    S = 1.0 + R
    logS = np.log1p(R)
    return e / S, dd - logS, (m + logS)[:, 0]

kinds = man.get('kinds', ['softmax', 'logSoftmax', 'logSumExp'])
def family(kind):
    return 1 if 'logSoftmax' in kind else 2 if 'logSumExp' in kind else 0

table = {}
for item in man['manifest']:
    dist, n, rows = item['dist'], item['length'], item['rows']
    name = f'{dist}-{n}'
    x = np.fromfile(f'{d}/{name}.x.bin', dtype=np.float32).reshape(rows, n)
    refs = reference(x)
    for kind in kinds:
        y = np.fromfile(f'{d}/{name}.{kind}.bin', dtype=np.float32)
        table[(dist, n, kind)] = stats(y, refs[family(kind)].reshape(-1))
    # logSumExp results that cancel (|m + log S| small) are flagged: see DESIGN.md
    small = np.abs(refs[2]) < 2.0**-20
    if small.any():
        print(f'  note: {name}: {int(small.sum())} logSumExp results below 2^-20 in magnitude')

dists = sorted({k[0] for k in table}, key=lambda s: [i['dist'] for i in man['manifest']].index(s))
lengths = sorted({k[1] for k in table})
print('| distribution | length | ' + ' | '.join(f'{k} max ulp (unrounded)' for k in kinds) + ' |')
print('|---|---:|' + '---:|' * len(kinds))
overall = {k: [0, 0.0, 1.0] for k in kinds}
for dist in dists:
    for n in lengths:
        cells = []
        for k in kinds:
            u, dmax, exact, bad, _ = table[(dist, n, k)]
            overall[k][0] = max(overall[k][0], dmax)
            overall[k][1] = max(overall[k][1], u)
            cells.append(f'{dmax} ({u:.3f})' + (f' BAD SPECIALS {bad}' if bad else ''))
        print(f'| {dist} | {n} | ' + ' | '.join(cells) + ' |')
for k in kinds:
    print(f'{k}: max {overall[k][0]} ulp, unrounded {overall[k][1]:.4f}')

# Maximum over distributions per length (DESIGN.md's table), and over lengths per distribution.
print('\n| length | ' + ' | '.join(kinds) + ' |')
print('|---:|' + '---:|' * len(kinds))
for n in lengths:
    cells = []
    for k in kinds:
        dm = max(table[(dist, n, k)][1] for dist in dists)
        um = max(table[(dist, n, k)][0] for dist in dists)
        cells.append(f'{dm} ({um:.3f})')
    print(f'| {n} | ' + ' | '.join(cells) + ' |')
print('\n| distribution | ' + ' | '.join(kinds) + ' |')
print('|---|' + '---:|' * len(kinds))
for dist in dists:
    cells = []
    for k in kinds:
        dm = max(table[(dist, n, k)][1] for n in lengths)
        um = max(table[(dist, n, k)][0] for n in lengths)
        cells.append(f'{dm} ({um:.3f})')
    print(f'| {dist} | ' + ' | '.join(cells) + ' |')
if '--no-mpmath' in sys.argv:
    sys.exit(0)

# mpmath spot check of the float64 reference: short rows and sampled elements of long ones.
mp.mp.dps = 40
rng = np.random.default_rng(7)
worst = {k: 0.0 for k in ['softmax', 'logSoftmax', 'logSumExp']}
where = {}
checked = 0
for item in man['manifest']:
    dist, n, rows = item['dist'], item['length'], item['rows']
    if n > 4096:
        continue
    x = np.fromfile(f'{d}/{dist}-{n}.x.bin', dtype=np.float32).reshape(rows, n)
    refs = reference(x)
    for r in rng.choice(rows, size=min(rows, 25 if n <= 17 else 2), replace=False):
        row = [mp.mpf(float(v)) for v in x[r]]
        m = max(row)
        S = mp.fsum(mp.exp(v - m) for v in row)
        logS = mp.log1p(mp.fsum(mp.exp(v - m) for v in row if v != m) + (sum(1 for v in row if v == m) - 1))
        cols = range(n) if n <= 17 else rng.choice(n, size=40, replace=False)
        for j in cols:
            for k, exact in (('softmax', mp.exp(row[j] - m) / S), ('logSoftmax', row[j] - m - logS)):
                ref64 = refs[0 if k == 'softmax' else 1][r, j]
                u = float(ulp32(np.array([float(exact)]))[0])
                err = float(abs(mp.mpf(float(ref64)) - exact) / u)
                if err > worst[k]:
                    worst[k] = err
                    where[k] = (dist, n, int(r), int(j), float(ref64), mp.nstr(exact, 20))
                checked += 1
        exact = m + logS
        u = float(ulp32(np.array([float(exact)]))[0])
        worst['logSumExp'] = max(worst['logSumExp'], float(abs(mp.mpf(float(refs[2][r])) - exact) / u))
print(f'mpmath check of the float64 reference on {checked} outputs: largest difference, in float32 ulp: ' +
      ', '.join(f'{k} {v:.2e}' for k, v in worst.items()))
print('  worst at', where)
