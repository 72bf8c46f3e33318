// Test helper: a real node:http metadata service on 127.0.0.1 with programmable token mode, failures and delays.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a deadline check allows beyond the deadline: timers and scheduling on a loaded 2-core CI machine. */
export const DEADLINE_SLACK_MS = 400;

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** What a hook may force for one request: a status and body, a delay before the normal or forced answer, or a hang. */
export interface Override {
  status?: number;
  body?: string;
  delayMs?: number;
  /** Send headers without a content-length, then `count` writes of `chunk` (a chunked body). */
  chunked?: { chunk: string; count: number };
}

export interface FakeImdsOptions {
  /** Full path -> body, e.g. `/latest/meta-data/mac`. Anything else is 404. */
  tree: Record<string, string>;
  /** required: GET needs a token (403 without, 401 with a bad one); optional: tokens checked when sent; unsupported: PUT -> tokenStatus. */
  token?: 'required' | 'optional' | 'unsupported';
  tokenStatus?: number;
  /** Called for every request with its 0-based number; return an override or nothing. */
  hook?: (request: SeenRequest, index: number) => Override | undefined;
}

export interface FakeImds {
  url: string;
  requests: SeenRequest[];
  /** Most requests ever being handled at the same time. */
  maxInFlight(): number;
  /** Invalidates every token issued so far (as if they expired). */
  expireTokens(): void;
  close(): Promise<void>;
}

export async function startFakeImds(options: FakeImdsOptions): Promise<FakeImds> {
  const requests: SeenRequest[] = [];
  const tokens = new Set<string>();
  let issued = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const mode = options.token ?? 'optional';

  const answer = (request: SeenRequest): { status: number; body: string } => {
    if (request.method === 'PUT' && request.path === '/latest/api/token') {
      if (mode === 'unsupported') return { status: options.tokenStatus ?? 404, body: 'Not Found' };
      const ttl = Number(request.headers['x-aliyun-ecs-metadata-token-ttl-seconds']);
      if (!(ttl >= 1 && ttl <= 21600)) return { status: 400, body: 'bad ttl' };
      const token = `tok-${++issued}-AbC`;
      tokens.add(token);
      return { status: 200, body: token };
    }
    if (request.method !== 'GET') return { status: 405, body: '' };
    const sent = request.headers['x-aliyun-ecs-metadata-token'];
    if (mode !== 'unsupported') {
      if (sent === undefined && mode === 'required') return { status: 403, body: 'token required' };
      if (sent !== undefined && !tokens.has(String(sent))) return { status: 401, body: 'bad token' };
    }
    const body = options.tree[request.path];
    return body === undefined ? { status: 404, body: 'Not Found' } : { status: 200, body };
  };

  const send = async (res: ServerResponse, status: number, body: string, override: Override | undefined) => {
    if (override?.chunked) {
      res.writeHead(status);
      for (let i = 0; i < override.chunked.count && !res.destroyed; i++) {
        await new Promise<void>((resolve) => res.write(override.chunked!.chunk, () => resolve()));
      }
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const request: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    const index = requests.push(request) - 1;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    req.resume();
    req.on('end', async () => {
      const override = options.hook?.(request, index);
      if (override?.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, override.delayMs);
          res.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (res.destroyed) return;
      const normal = answer(request);
      await send(res, override?.status ?? normal.status, override?.body ?? normal.body, override).catch(() => {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    expireTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A base URL on which nothing listens: a port bound and closed again. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
