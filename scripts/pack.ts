// The package as npm would publish it, installed where a consumer would have it: used by the
// package test and the engine tests, which load it by name from another folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packs the package (`npm pack`, from the current build) and unpacks the tarball as
 * `dir/node_modules/simd-activations`, with nothing else installed: the package must run on
 * its own files (it has no runtime dependencies).
 */
export function installPacked(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }),
  ) as { filename: string }[];
  const tarball = join(dir, packed!.filename);
  execFileSync('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules')]);
  rmSync(tarball);
  renameSync(join(dir, 'node_modules', 'package'), join(dir, 'node_modules', 'simd-activations'));
}
