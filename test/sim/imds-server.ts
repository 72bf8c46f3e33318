// The one fake Alibaba metadata service: stats, latency, faults, token mode, then the tree of a scenario or a capture
// served verbatim. Runs as a process in the simulated VPC (fake-imds.ts) and in-process for unit tests (hooks).
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImdsConfig, ImdsFault } from './imds-config.ts';
import { resolveMetadata } from './imds-tree.ts';
import { TokenStore } from './imds-token.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** What a hook may force for one request: a status and body, a delay before the answer, or a chunked body. */
export interface Override {
  status?: number;
  body?: string;
  delayMs?: number;
  /** Send headers without a content-length, then `count` writes of `chunk` (a chunked body). */
  chunked?: { chunk: string; count: number };
}

export interface ImdsServerOptions {
  /** The current config; called once per request (the caller reloads it when the file changes). */
  config: () => ImdsConfig;
  /** Addresses allowed to read /__sim/ endpoints besides loopback (the listen address). */
  controlAddresses: () => string[];
  log?: (line: string) => void;
  /** In-process use (unit tests): called for every request with its 0-based number; may force an answer. */
  hook?: (request: SeenRequest, index: number) => Override | undefined;
  /** In-process use: sees every request (headers included) as it arrives. */
  onRequest?: (request: SeenRequest) => void;
  /** Numbered tokens (`tok-1-AbC`...) instead of random ones. */
  numberedTokens?: boolean;
  /** Receives the token store (to expire every token from a test). */
  tokens?: (store: TokenStore) => void;
}

export interface ImdsStats {
  requests: number;
  byPath: Record<string, number>;
}

const TOKEN_PATH = '/latest/api/token';
const META = '/latest/meta-data/';
const MAX_TTL_SECONDS = 21600;

/** Fault effects for one request; consumes the `count` budget of every matching fault. */
class FaultBook {
  private readonly used = new Map<string, number>();

  take(faults: readonly ImdsFault[], path: string): { delayMs: number; action: ImdsFault | undefined } {
    let delayMs = 0;
    let action: ImdsFault | undefined;
    faults.forEach((fault, index) => {
      if (!new RegExp(fault.path).test(path)) return;
      const key = `${index}:${JSON.stringify(fault)}`;
      const used = this.used.get(key) ?? 0;
      if (fault.count !== undefined && used >= fault.count) return;
      this.used.set(key, used + 1);
      delayMs += fault.delayMs ?? 0;
      if (action === undefined && (fault.reset === true || fault.status !== undefined || fault.body !== undefined)) action = fault;
    });
    return { delayMs, action };
  }
}

function send(res: ServerResponse, status: number, body: string, head = false): number {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
  return status;
}

async function sendChunked(res: ServerResponse, status: number, chunked: { chunk: string; count: number }): Promise<number> {
  res.writeHead(status);
  for (let i = 0; i < chunked.count && !res.destroyed; i++) {
    await new Promise<void>((resolve) => res.write(chunked.chunk, () => resolve()));
  }
  res.end();
  return status;
}

/** A capture's answer for a full path: its exact body, its recorded status, or 404. */
function fromCapture(capture: NonNullable<ImdsConfig['capture']>, path: string): { status: number; body: string } {
  const body = capture.responses[path];
  if (body !== undefined) return { status: 200, body };
  const status = capture.statuses?.[path] ?? (capture.errors?.[path] !== undefined ? 503 : 404);
  return { status, body: `${status} ${STATUS_CODES[status] ?? ''}`.trim() };
}

function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export function createImdsServer(options: ImdsServerOptions): Server {
  const stats: ImdsStats = { requests: 0, byPath: {} };
  const faults = new FaultBook();
  const tokens = new TokenStore(options.numberedTokens === true);
  options.tokens?.(tokens);
  let seen = 0;

  function control(req: IncomingMessage, res: ServerResponse, path: string): number {
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const allowed = isLoopback(remote) || options.controlAddresses().includes(remote);
    if (allowed && req.method === 'GET' && path === '/__sim/stats') return send(res, 200, JSON.stringify(stats));
    if (allowed && req.method === 'POST' && path === '/__sim/reset-stats') {
      stats.requests = 0;
      stats.byPath = {};
      return send(res, 200, '{}');
    }
    return send(res, 404, 'Not Found');
  }

  function token(req: IncomingMessage, res: ServerResponse, config: ImdsConfig): number {
    if (config.token === 'unsupported') {
      const status = config.tokenStatus ?? 404;
      return send(res, status, `${status} ${STATUS_CODES[status] ?? ''}`.trim());
    }
    if (req.method !== 'PUT') return send(res, 405, 'Method Not Allowed');
    if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, 'Forbidden');
    const ttlText = req.headers['x-aliyun-ecs-metadata-token-ttl-seconds'];
    const ttl = typeof ttlText === 'string' && /^\d{1,6}$/.test(ttlText.trim()) ? Number(ttlText.trim()) : NaN;
    if (!(ttl >= 1 && ttl <= MAX_TTL_SECONDS)) return send(res, 400, 'Bad Request: invalid token ttl');
    return send(res, 200, tokens.issue(ttl));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/__sim/')) return control(req, res, path);
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    const seenRequest: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    options.onRequest?.(seenRequest);
    const override = options.hook?.(seenRequest, seen++);
    if (override?.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, override.delayMs);
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (res.destroyed) return 0;
    if (override?.chunked) return sendChunked(res, override.status ?? 200, override.chunked);
    if (override?.status !== undefined || override?.body !== undefined) {
      const status = override.status ?? 200;
      return send(res, status, override.body ?? `${status} ${STATUS_CODES[status] ?? ''}`.trim());
    }
    const config = options.config();
    if (config.latencyMs > 0) await sleep(config.latencyMs);
    const { delayMs, action } = faults.take(config.faults, path);
    if (delayMs > 0) await sleep(delayMs);
    if (action?.reset === true) {
      req.socket.destroy();
      return 0;
    }
    if (action !== undefined) {
      const status = action.status ?? 200;
      return send(res, status, action.body ?? `${status} ${STATUS_CODES[status] ?? ''}`.trim());
    }
    if (path === TOKEN_PATH) return token(req, res, config);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed');
    const head = req.method === 'HEAD';
    const presented = req.headers['x-aliyun-ecs-metadata-token'];
    if (config.token !== 'unsupported') {
      if (presented !== undefined && !tokens.valid(String(presented))) return send(res, 401, 'Unauthorized', head);
      if (presented === undefined && config.token === 'required') return send(res, 403, 'Forbidden', head);
    }
    const normalized = path.replace(/^\/2016-01-01\//, '/latest/');
    if (config.capture !== undefined) {
      const answer = fromCapture(config.capture, normalized);
      return send(res, answer.status, answer.body, head);
    }
    if (normalized === '/') return send(res, 200, 'latest\n2016-01-01', head);
    if (normalized === '/latest' || normalized === '/latest/') return send(res, 200, 'meta-data/', head);
    const under = normalized === '/latest/meta-data' ? '' : normalized.startsWith(META) ? normalized.slice(META.length) : null;
    const body = under === null ? null : resolveMetadata(config, under, Date.now());
    return body === null ? send(res, 404, 'Not Found', head) : send(res, 200, body, head);
  }

  return createServer((req, res) => {
    const started = Date.now();
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) return send(res, 500, `fake imds: ${String(error)}`);
        res.destroy();
        return 500;
      })
      .then((status) => {
        options.log?.(`${new Date().toISOString()} ${req.socket.remoteAddress ?? '?'} ${req.method ?? '?'} ${req.url ?? '?'} -> ${status === 0 ? 'reset' : status} ${Date.now() - started}ms`);
      }, () => undefined);
  });
}
