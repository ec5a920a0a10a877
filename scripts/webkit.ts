// WebKitGTK for the engine tests: Debian's WebKitWebDriver (package webkit2gtk-driver) driving
// WebKitGTK's MiniBrowser on a virtual X display (xvfb-run, package xvfb), through a small W3C
// WebDriver client over fetch. Nothing is downloaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WEBKIT_WEBDRIVER = process.env['WEBKIT_WEBDRIVER_PATH'] ?? '/usr/bin/WebKitWebDriver';
const XVFB_RUN = '/usr/bin/xvfb-run';

/** MiniBrowser ships inside libwebkit2gtk, under an architecture-specific folder. */
function miniBrowser(): string | undefined {
  const override = process.env['WEBKIT_MINIBROWSER_PATH'];
  if (override) return override;
  for (const triplet of readdirSync('/usr/lib')) {
    for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0']) {
      const path = join('/usr/lib', triplet, api, 'MiniBrowser');
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

export interface WebKitSession {
  /** MiniBrowser's version (the WebKitGTK version), from the session's capabilities. */
  readonly version: string;
  navigate(url: string): Promise<void>;
  /** Runs `script` as a W3C "execute async script" body and returns what it passes to its callback. */
  executeAsync(script: string): Promise<unknown>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Resolves when the process exits (at once if it already has). */
const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));

/**
 * Starts WebKitWebDriver under xvfb-run and opens a MiniBrowser session. `env` is added to the
 * browser's environment. The driver, the browser and the X server run in a process group of
 * their own, ended together by close() (or when this process exits).
 */
export async function launchWebKit(options: { env?: Record<string, string>; scriptTimeoutMs: number }): Promise<WebKitSession> {
  const binary = miniBrowser();
  for (const [path, pkg] of [[WEBKIT_WEBDRIVER, 'webkit2gtk-driver'], [XVFB_RUN, 'xvfb'], [binary, 'libwebkit2gtk-4.1-0']] as const) {
    if (!path || !existsSync(path)) throw new Error(`${path ?? 'MiniBrowser'} not found: apt-get install ${pkg}`);
  }
  const port = await freePort();
  // The X authority file in a folder of ours, so that nothing is left behind however xvfb-run ends.
  const dir = mkdtempSync(join(tmpdir(), 'simd-activations-webkit-'));
  const driver = spawn(
    XVFB_RUN,
    ['--auto-servernum', `--auth-file=${join(dir, 'Xauthority')}`, '--server-args=-screen 0 1280x1024x24', WEBKIT_WEBDRIVER, `--port=${port}`],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let stderr = '';
  driver.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const killGroup = (): void => {
    try {
      process.kill(-driver.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killGroup);
  const stop = async (): Promise<void> => {
    killGroup();
    await exited(driver);
    process.off('exit', killGroup);
  };

  const base = `http://127.0.0.1:${port}`;
  const command = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = (await response.json()) as { value: unknown };
    const error = value as { error?: string; message?: string } | null;
    if (!response.ok || error?.error) throw new Error(`WebDriver ${method} ${path}: ${error?.error}: ${error?.message}`);
    return value;
  };

  try {
    // Ready when /status says so; the driver's exit ends the wait with its error output.
    const gone = exited(driver).then(() => {
      throw new Error(`WebKitWebDriver exited before it was ready: ${stderr.trim() || `code ${driver.exitCode}`}`);
    });
    const ready = (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = await command('GET', '/status').catch(() => undefined);
        if ((status as { ready?: boolean } | undefined)?.ready) return;
        if (Date.now() > deadline || driver.exitCode !== null) throw new Error(`WebKitWebDriver did not become ready: ${stderr.trim()}`);
        await new Promise((done) => setTimeout(done, 50));
      }
    })();
    await Promise.race([ready, gone]);
    gone.catch(() => {});

    const session = (await command('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary, args: ['--automation'] },
          timeouts: { script: options.scriptTimeoutMs, pageLoad: 60_000 },
        },
      },
    })) as { sessionId: string; capabilities: { browserVersion: string } };
    const path = `/session/${session.sessionId}`;
    return {
      version: session.capabilities.browserVersion,
      navigate: async (url) => void (await command('POST', `${path}/url`, { url })),
      executeAsync: (script) => command('POST', `${path}/execute/async`, { script, args: [] }),
      async close() {
        await command('DELETE', path).catch(() => {});
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
