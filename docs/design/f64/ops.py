#!/usr/bin/env python3
"""Counts the SIMD operations of a family's loop in build/simd-f64.wat: the common part and each
`if` block on the kind (in source order), so that a kernel's count is the common part plus the
blocks it runs. Loads, stores and v128.const are not counted (as in DESIGN.md). The loop is the
first `loop` of the named function (binaryen may inline a family's loop into units64).
Usage: python3 ops.py units64 | tanhLoop | ...  [wat file]"""
import re, sys
from pathlib import Path
name = sys.argv[1]
wat = (Path(__file__).resolve().parent / 'build' / (sys.argv[2] if len(sys.argv) > 2 else 'simd-f64.wat')).read_text()
start = wat.index(f'(func $assembly/map64/{name} ')
lines = wat[start:wat.index('\n )', start)].splitlines()
first = next(i for i, l in enumerate(lines) if l.strip().startswith('loop '))
blocks, current, stack, depth = [], {'name': 'common', 'ops': []}, [], 0
common = current
for line in lines[first:]:
    s = line.strip()
    if s.startswith(('loop', 'block')):
        depth += 1
        continue
    if s == 'if':
        stack.append(current)
        current = {'name': f'if #{len(blocks) + 1}', 'ops': []}
        blocks.append(current)
        continue
    if s == 'end':
        if stack:
            current = stack.pop()
            continue
        depth -= 1
        if depth == 0:
            break
        continue
    m = re.match(r'(f64x2|i64x2|v128|i32x4)\.(\w+)', s)
    if m and m.group(2) not in ('const', 'load', 'store') and not re.match(r'v128\.(load|store)', s):
        current['ops'].append(m.group(0))
print(f'common: {len(common["ops"])}')
for b in blocks:
    print(f'{b["name"]}: {len(b["ops"])} ({", ".join(sorted(set(b["ops"])))})')
