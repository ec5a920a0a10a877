// A small static file server for the demo and the browser tests: `npm run demo` serves the
// project folder (the demo imports the built package by relative path, as a page without a
// bundler would) and prints the demo's URL. Tests start it with extra headers, such as a
// Content-Security-Policy, to serve the same files under other rules.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface Served {
  /** The server's origin with a trailing slash, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the files under `root` (GET and HEAD only; nothing outside root; a folder serves its
 * index.html) with `headers` added to every answer.
 */
export async function serve(root: string, options: { port?: number; host?: string; headers?: OutgoingHttpHeaders } = {}): Promise<Served> {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    let file = resolve(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return response.writeHead(403).end();
    if (request.method !== 'GET' && request.method !== 'HEAD') return response.writeHead(405).end();
    try {
      if (statSync(file).isDirectory()) {
        if (!path.endsWith('/')) return response.writeHead(301, { location: `${path}/` }).end();
        file = join(file, 'index.html');
      }
      const size = statSync(file).size;
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': 'no-store',
        ...options.headers,
      });
      if (request.method === 'HEAD') return response.end();
      createReadStream(file).pipe(response);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

// `tsx scripts/serve.ts [--port N] [--host H]`: serve the project folder until interrupted.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argument = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const root = fileURLToPath(new URL('..', import.meta.url));
  const served = await serve(root, { port: Number(argument('--port') ?? 5180), host: argument('--host') ?? 'localhost' });
  console.log(`simd-activations demo: ${served.url}demo/  (Ctrl+C to stop)`);
}
