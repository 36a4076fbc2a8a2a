import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The dashboard's files, as `vite build` leaves them in dist/web: read once at start, kept in
 * memory with a gzip copy of each (the whole app is well under a few MB), and served at `/`.
 * Any other path that is not the API's and has no file is a page of the app (deep links and
 * reload work): it gets index.html. Hashed assets are cached for a year; index.html never.
 */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface WebFile {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly immutable: boolean;
}

/** Where `npm run build` puts the dashboard, beside this module's own compiled folder. */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../web/', import.meta.url));
}

/** Reads every file of the built dashboard; undefined when it has not been built. */
export function loadWebFiles(root: string): Map<string, WebFile> | undefined {
  if (!existsSync(join(root, 'index.html'))) return undefined;
  const files = new Map<string, WebFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const url = `/${relative(root, path).split(sep).join('/')}`;
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      const body = readFileSync(path);
      const compressible = /^(text|image\/svg|application\/json)/.test(type) && body.length > 512;
      files.set(url, {
        type,
        body,
        ...(compressible ? { gzip: gzipSync(body, { level: 9 }) } : {}),
        immutable: url.startsWith('/assets/'),
      });
    }
  };
  walk(root);
  return files;
}

/** Paths that belong to the service, never to the app: their 404 stays the API's JSON. */
function isServicePath(path: string): boolean {
  return (
    path === '/v1' ||
    path.startsWith('/v1/') ||
    ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'].includes(path)
  );
}

/**
 * Serves the dashboard at `/` when it is built. When it is not (a checkout that skipped the
 * build), `/` says how to build it instead of a bare 404.
 */
export function registerWeb(fastify: FastifyInstance, root: string): void {
  const files = loadWebFiles(root);
  const send = async (request: FastifyRequest, reply: FastifyReply, file: WebFile) => {
    const encoding = request.headers['accept-encoding'];
    const accepts = Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '');
    reply.type(file.type);
    reply.header(
      'cache-control',
      file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    reply.header('vary', 'accept-encoding');
    // Content-Security-Policy and the other security headers: helmet, for every response.
    if (file.gzip && /\bgzip\b/.test(accepts)) {
      reply.header('content-encoding', 'gzip');
      return reply.send(file.gzip);
    }
    return reply.send(file.body);
  };

  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const path = decodeURIComponent(
        (request.url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/',
      );
      if (isServicePath(path)) {
        reply.callNotFound();
        return;
      }
      if (!files) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(
            'The dashboard is not built in this installation: run `npm run build` in the clone.\nThe API is at /v1 (see /docs).\n',
          );
      }
      const file = files.get(path);
      if (file) return send(request, reply, file);
      // A missing asset is a 404, not the app: a stale page must not get HTML for its script.
      if (path.startsWith('/assets/') || extname(path) !== '') {
        reply.callNotFound();
        return;
      }
      const index = files.get('/index.html');
      if (!index) {
        reply.callNotFound();
        return;
      }
      return send(request, reply, index);
    },
  });
}
