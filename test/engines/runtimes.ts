// Each runtime the engine tests run on, and how the probe (probe.js) gets there: Node, Deno and
// Bun run cli.js in a folder where the packed package is installed; the browsers open page.html,
// served from that folder, which runs the probe in the page (with the pool) and in a module
// worker. A runtime that is missing fails with what to install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, launch as launchChromium } from '../../scripts/chromium.js';
import { launchWebKit } from '../../scripts/webkit.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A probe's report (probe.js), as JSON. */
export interface Report {
  runtime: string;
  inputs: number;
  /** How many doubles the Float64Array and number fingerprints cover. */
  doubleInputs: number;
  backend: string;
  rejected: { candidate: string; reason: string }[];
  float32: Record<string, Record<string, string> | { error: string }>;
  /** The row functions (softmax, logSoftmax, logSumExp) per backend, float32 and Float64Array. */
  rows: Record<string, Record<string, string> | { error: string }>;
  float64: Record<string, Record<string, string> | { error: string }>;
  number: Record<string, Record<string, string> | { error: string }>;
  smoke: Record<string, Record<string, Record<string, boolean | string>> | { error: string }>;
  pool: PoolReport | { error: string } | null;
  milliseconds: number;
}

export interface PoolReport {
  threads: number;
  hardwareConcurrency: number | null;
  crossOriginIsolated: boolean | null;
  sharedArrayBuffer: boolean;
  warnings: string[];
  fingerprints: Record<string, Record<string, string>>;
}

export interface Run {
  version: string;
  engine: string;
  /** One report per place the probe ran: 'main' (Node, Deno, Bun), or 'page' and 'worker'. */
  reports: Record<string, Report>;
}

export interface Runtime {
  readonly name: string;
  /** Whether the pool must have worker threads here (else it may run on the calling thread). */
  readonly threads: boolean;
  /** Runs the probe; `dir` holds the installed package and the probe, `url` serves `dir`. */
  run(dir: string, url: string, timeoutMs: number): Promise<Run>;
}

const PREFIX = 'engine-probe-report ';

/** Runs cli.js with a runtime's binary and parses the report it prints. */
function runCli(binary: string, args: string[], dir: string, timeoutMs: number, env: Record<string, string> = {}): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...args, join(dir, 'probe', 'cli.js')], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith(PREFIX));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(PREFIX.length)) as Report);
      const why = signal === 'SIGTERM' ? `timed out after ${timeoutMs / 1000} s` : `exited with ${signal ?? `code ${code}`}`;
      reject(new Error(`${binary} ${why}: ${stderr.trim() || stdout.trim().slice(-2000)}`));
    });
  });
}

/** The folder of an installed package, resolved from `from` (a folder), or undefined. */
function packageDir(name: string, from: string): string | undefined {
  try {
    return dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

const runs = (binary: string): boolean => existsSync(binary) && spawnSync(binary, ['--version'], { timeout: 30_000 }).status === 0;

/**
 * A runtime binary that ships in an npm package. The devDependency `wrapper` (deno, bun) lists
 * the platform packages as optional dependencies, so npm installs the one for this machine and
 * none where none applies. The binary is in the platform package (`platform`: package and path
 * for Linux x64), unless the wrapper's install script ran and moved it into the wrapper
 * (`wrapperFile`). The environment variable `variable` names another binary.
 */
function packagedBinary(wrapper: string, variable: string, platform: [string, string], wrapperFile: string): string {
  const override = process.env[variable];
  if (override) {
    if (runs(override)) return override;
    throw new Error(`${variable}=${override} does not run`);
  }
  const wrapperDir = packageDir(wrapper, root);
  const platformDir = wrapperDir && process.platform === 'linux' && process.arch === 'x64' ? packageDir(platform[0], wrapperDir) : undefined;
  const candidates = [platformDir && join(platformDir, platform[1]), wrapperDir && join(wrapperDir, wrapperFile)].filter((c) => c !== undefined);
  const found = candidates.find(runs);
  if (found) return found;
  throw new Error(
    `${wrapper} not found (tried ${candidates.join(', ') || 'nothing'}): \`npm ci\` installs it (devDependency ${wrapper}, ` +
      `with ${platform[0]} on Linux x64), or set ${variable} to a ${wrapper} binary`,
  );
}

const version = (binary: string): string => spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();

const node: Runtime = {
  name: 'Node',
  threads: true,
  async run(dir, _url, timeoutMs) {
    const main = await runCli(process.execPath, [], dir, timeoutMs);
    return { version: process.versions.node, engine: `V8 ${process.versions.v8}`, reports: { main } };
  },
};

const deno: Runtime = {
  name: 'Deno',
  threads: true,
  async run(dir, _url, timeoutMs) {
    const binary = packagedBinary('deno', 'DENO_PATH', ['@deno/linux-x64-glibc', 'deno'], 'deno');
    // Read access to the folder only; no update check (there is no network), caches inside it.
    const main = await runCli(binary, ['run', `--allow-read=${dir}`, '--no-prompt'], dir, timeoutMs, {
      DENO_NO_UPDATE_CHECK: '1',
      DENO_DIR: join(dir, '.deno'),
    });
    const [, deno = '?', v8 = '?'] = /Deno (\S+) \(V8 (\S+)\)/.exec(main.runtime) ?? [];
    return { version: deno, engine: `V8 ${v8}`, reports: { main } };
  },
};

const bun: Runtime = {
  name: 'Bun',
  threads: true,
  async run(dir, _url, timeoutMs) {
    const binary = packagedBinary('bun', 'BUN_PATH', ['@oven/bun-linux-x64', 'bin/bun'], 'bin/bun.exe');
    const main = await runCli(binary, [], dir, timeoutMs, { DO_NOT_TRACK: '1' });
    return { version: version(binary), engine: 'JavaScriptCore', reports: { main } };
  },
};

/** The page's window.runProbe(): both reports, or an error. */
function parsePage(json: unknown): Record<string, Report> {
  const parsed = JSON.parse(String(json)) as { page: Report; worker: Report } | { error: string };
  if ('error' in parsed) throw new Error(`the probe page failed: ${parsed.error}`);
  return { page: parsed.page, worker: parsed.worker };
}

declare global {
  interface Window {
    runProbe(): Promise<string>;
  }
}

const chromium: Runtime = {
  name: 'Chromium',
  threads: true,
  async run(_dir, url) {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
    const browser = await launchChromium();
    try {
      const { page } = await browser.page();
      const cdp = await browser.context.newCDPSession(page);
      const { product, jsVersion } = (await cdp.send('Browser.getVersion')) as { product: string; jsVersion: string };
      await page.goto(`${url}probe/page.html`);
      const reports = parsePage(await page.evaluate(() => window.runProbe()));
      return { version: product.replace(/^\D+/, ''), engine: `V8 ${jsVersion}`, reports };
    } finally {
      await browser.close();
    }
  },
};

const FIREFOX = process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr';

const firefox: Runtime = {
  name: 'Firefox ESR',
  threads: true,
  async run(_dir, url) {
    if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} not found: apt-get install firefox-esr (or set FIREFOX_PATH)`);
    // Over WebDriver BiDi, which Firefox speaks itself: no geckodriver. Puppeteer gives it a
    // fresh profile (with its network chatter turned off) and removes it on close.
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    try {
      const page = await browser.newPage();
      await page.goto(`${url}probe/page.html`);
      const reports = parsePage(await page.evaluate(() => window.runProbe()));
      return { version: (await browser.version()).replace(/^\D+/, ''), engine: 'SpiderMonkey', reports };
    } finally {
      await browser.close();
    }
  },
};

/** WebKitGTK's MiniBrowser; `env` goes to the browser (see the JSC_useSharedArrayBuffer row). */
function webkit(name: string, threads: boolean, env: Record<string, string>): Runtime {
  return {
    name,
    threads,
    async run(_dir, url, timeoutMs) {
      const session = await launchWebKit({ env, scriptTimeoutMs: timeoutMs });
      try {
        await session.navigate(`${url}probe/page.html`);
        const json = await session.executeAsync('window.runProbe().then(arguments[arguments.length - 1]);');
        return { version: session.version, engine: 'JavaScriptCore', reports: parsePage(json) };
      } finally {
        await session.close();
      }
    },
  };
}

export const RUNTIMES: readonly Runtime[] = [
  node,
  deno,
  bun,
  chromium,
  firefox,
  webkit('WebKitGTK MiniBrowser', false, {}),
  // WebKitGTK never turns SharedArrayBuffer on for cross-origin isolated pages (only WebKit's
  // macOS/iOS process launcher does); JavaScriptCore's own option does, so that the pool's
  // workers are tested on JavaScriptCore in a browser too.
  webkit('WebKitGTK MiniBrowser, JSC_useSharedArrayBuffer=1', true, { JSC_useSharedArrayBuffer: '1' }),
];
