// HTTP client for the metadata service: one undici Pool, bounded concurrency, token mode, retries inside one deadline.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import pRetry from 'p-retry';
import type { Logger } from '../log.ts';
import { BadMetadataError, EniInitError, MetadataUnreachableError } from '../errors.ts';

export interface MetadataHttpOptions {
  /** `http://HOST[:PORT]`, e.g. `http://100.100.100.200`. */
  baseUrl: string;
  /** Absolute epoch ms: no request, retry or sleep runs past it. */
  deadline: number;
  tokenMode: 'auto' | 'required' | 'off';
  maxConcurrency?: number;
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
  tokenTtlSeconds?: number;
  log: Logger;
  /** Source of jitter in [0, 1); Math.random by default. */
  random?: () => number;
}

export interface MetadataHttp {
  /** The body of `path` (under `/latest/`); null only for a 404 on an optional item. */
  get(path: string, options?: { optional?: boolean }): Promise<string | null>;
  /** HTTP requests sent so far, token requests and retries included. */
  requestCount(): number;
  /** The same, by path. */
  requestsByPath(): Record<string, number>;
  tokenMode(): 'token' | 'plain';
  close(): Promise<void>;
}

/** One item could not be read although the service answered before: `status` is the last HTTP status, if any. */
export class MetadataRequestError extends Error {
  readonly path: string;
  readonly status: number | undefined;
  constructor(message: string, path: string, status: number | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'MetadataRequestError';
    this.path = path;
    this.status = status;
  }
}

/** An HTTP answer with an unwanted status (internal; mapped to MetadataRequestError). */
class StatusError extends Error {
  constructor(readonly status: number, readonly retryable: boolean, message = `HTTP ${status}`) {
    super(message);
  }
}

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** The overall deadline passed (never the "last error" worth reporting). */
class DeadlineError extends TimeoutError {}

const TOKEN_PATH = '/latest/api/token';
const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
const TOKEN_TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
const TOKEN_SHAPE = /^[\x21-\x7e]{1,256}$/;
const SAFE_PATH = /^\/latest(?:\/[A-Za-z0-9_:-][A-Za-z0-9._:-]*)*\/?$/;
const RETRYABLE_CODES = new Set(
  ('ETIMEDOUT ECONNREFUSED ECONNRESET ECONNABORTED EHOSTUNREACH EHOSTDOWN ENETUNREACH ENETDOWN EADDRNOTAVAIL EPIPE ' +
    'EAI_AGAIN UND_ERR_SOCKET UND_ERR_CONNECT_TIMEOUT UND_ERR_HEADERS_TIMEOUT UND_ERR_BODY_TIMEOUT UND_ERR_CLOSED').split(' '),
);
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 1000;
/** An attempt with less time than this left is not started. */
const MIN_ATTEMPT_MS = 10;

function isRetryable(error: unknown): boolean {
  if (error instanceof StatusError) return error.retryable;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

/** A counting semaphore whose waiters give up when `signal` aborts. */
function createSlots(limit: number) {
  let free = limit;
  const waiters: (() => void)[] = [];
  return {
    acquire(signal: AbortSignal): Promise<void> {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          waiters.splice(waiters.indexOf(grant), 1);
          reject(signal.reason);
        };
        waiters.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    release(): void {
      const next = waiters.shift();
      if (next) next();
      else free++;
    },
  };
}

export function createMetadataHttp(options: MetadataHttpOptions): MetadataHttp {
  const { deadline, log } = options;
  const origin = new URL(options.baseUrl).origin;
  const maxConcurrency = options.maxConcurrency ?? 16;
  const requestTimeoutMs = options.requestTimeoutMs ?? 2000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const tokenTtl = String(options.tokenTtlSeconds ?? 21600);
  const random = options.random ?? Math.random;
  const pool = new Pool(origin, {
    connections: maxConcurrency,
    connect: { timeout: requestTimeoutMs },
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  });
  const slots = createSlots(maxConcurrency);
  const stopper = new AbortController();
  const stop = stopper.signal;
  setMaxListeners(0, stop);
  const deadlineTimer = setTimeout(
    () => stopper.abort(new DeadlineError('the metadata deadline passed')),
    Math.min(2 ** 31 - 1, Math.max(0, deadline - Date.now())),
  );
  deadlineTimer.unref();

  let requests = 0;
  const byPath: Record<string, number> = {};
  let contacted = false;
  let token: string | null = null;
  let generation = 0;
  let decided = options.tokenMode === 'off';
  let tokenTask: Promise<void> | null = null;
  let fallbackStatus: number | undefined;

  /** One HTTP exchange holding a concurrency slot; the body is read only for 2xx, up to the size cap. */
  async function exchange(method: 'GET' | 'PUT', path: string, headers: Record<string, string>) {
    await slots.acquire(stop);
    const timeoutMs = Math.min(requestTimeoutMs, deadline - Date.now());
    const controller = new AbortController();
    const onStop = () => controller.abort(stop.reason);
    const timer = setTimeout(() => controller.abort(new TimeoutError(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    stop.addEventListener('abort', onStop, { once: true });
    try {
      if (timeoutMs < MIN_ATTEMPT_MS) throw new DeadlineError('the metadata deadline passed');
      requests++;
      byPath[path] = (byPath[path] ?? 0) + 1;
      const response = await pool.request({ method, path, headers, signal: controller.signal });
      const status = response.statusCode;
      if (status < 500 && status !== 429) contacted = true;
      if (status < 200 || status > 299) {
        await response.body.dump().catch(() => {});
        return { status, body: '' };
      }
      const length = response.headers['content-length'];
      const declared = typeof length === 'string' && /^[0-9]{1,15}$/.test(length) ? Number(length) : 0;
      const chunks: Buffer[] = [];
      let size = declared;
      if (declared <= maxResponseBytes) {
        size = 0;
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxResponseBytes) break;
          chunks.push(chunk);
        }
      }
      if (size > maxResponseBytes) {
        response.body.on('error', () => {}).destroy();
        throw new StatusError(status, false, `response larger than ${maxResponseBytes} bytes`);
      }
      return { status, body: Buffer.concat(chunks).toString('utf8') };
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      slots.release();
    }
  }

  /** Runs `attempt` with jittered exponential backoff on retryable errors until it succeeds or the deadline nears. */
  function withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return pRetry(attempt, {
      forever: true,
      retries: 0,
      minTimeout: 0,
      maxTimeout: 0,
      signal: stop,
      onFailedAttempt: async (error) => {
        if (!isRetryable(error)) throw error;
        const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(10, error.attemptNumber - 1));
        const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
        const left = deadline - Date.now() - MIN_ATTEMPT_MS;
        if (left <= 0) throw error;
        log.debug('metadata request failed; retrying', { what, attempt: error.attemptNumber, error: describe(error), delayMs: delay });
        await sleep(Math.min(delay, left), undefined, { signal: stop });
      },
    });
  }

  /** Maps the last failure of a request to the error the caller sees. */
  function finalError(what: string, path: string, error: unknown, last: unknown): Error {
    if (error instanceof EniInitError || error instanceof MetadataRequestError) return error;
    const cause = error instanceof DeadlineError && last !== undefined ? last : error;
    if (!contacted) {
      return new MetadataUnreachableError(
        `metadata service ${origin} not reachable before the deadline (token mode ${options.tokenMode}; ` +
          `${requests} request(s) sent, last ${what}): ${describe(cause)}`,
        { cause, details: { url: origin, path, requests, lastError: describe(cause) } },
      );
    }
    const status = cause instanceof StatusError ? cause.status : undefined;
    return new MetadataRequestError(`${what}: ${describe(cause)}`, path, status, cause);
  }

  /** Runs one logical request (retried) and maps its failure. */
  async function request<T>(what: string, path: string, attempt: () => Promise<T>): Promise<T> {
    let last: unknown;
    try {
      return await withRetries(what, async () => {
        try {
          return await attempt();
        } catch (error) {
          if (!(error instanceof DeadlineError)) last = error;
          throw error;
        }
      });
    } catch (error) {
      throw finalError(what, path, error, last);
    }
  }

  /** PUT /latest/api/token: the token, or null when `auto` falls back to plain requests. */
  function fetchToken(): Promise<string | null> {
    return request(`PUT ${TOKEN_PATH}`, TOKEN_PATH, async () => {
      const { status, body } = await exchange('PUT', TOKEN_PATH, { [TOKEN_TTL_HEADER]: tokenTtl });
      if (status === 429 || status >= 500) throw new StatusError(status, true);
      if (status >= 200 && status <= 299) {
        if (TOKEN_SHAPE.test(body)) return body;
        throw new BadMetadataError(`PUT ${TOKEN_PATH} returned an invalid token: ${JSON.stringify(body.slice(0, 80))}`);
      }
      // Each answer means one thing; the message says which was seen (README "Metadata": token answers).
      if (status === 403) {
        throw new BadMetadataError(
          `PUT ${TOKEN_PATH} answered HTTP 403: metadata access is disabled for this instance or refused by policy ` +
            '(enable it in the instance\'s metadata options); no plain requests were tried',
          { details: { path: TOKEN_PATH, status } },
        );
      }
      if (status === 400) {
        throw new BadMetadataError(`PUT ${TOKEN_PATH} answered HTTP 400: the service refused the token TTL of ${tokenTtl} seconds`, { details: { path: TOKEN_PATH, status } });
      }
      if (status !== 404 && status !== 405) {
        throw new BadMetadataError(`PUT ${TOKEN_PATH} answered HTTP ${status}, which is not a known answer of the token endpoint`, { details: { path: TOKEN_PATH, status } });
      }
      if (options.tokenMode === 'required') {
        throw new BadMetadataError(
          `metadata token required (--metadata-token=required) but the service has no token endpoint: PUT ${TOKEN_PATH} answered HTTP ${status}`,
          { details: { path: TOKEN_PATH, status } },
        );
      }
      fallbackStatus = status;
      log.info('metadata service has no token endpoint; using plain requests', { status });
      return null;
    });
  }

  /** The current token (null in plain mode); with `stale`, a fresh one unless it was already replaced. */
  async function currentToken(stale?: number): Promise<string | null> {
    for (;;) {
      if (tokenTask) await tokenTask;
      else if (decided && (stale === undefined || stale !== generation || token === null)) return token;
      else {
        tokenTask = fetchToken()
          .then((value) => {
            token = value;
            generation++;
            decided = true;
          })
          .finally(() => {
            tokenTask = null;
          });
      }
    }
  }

  function plainForbidden(path: string): BadMetadataError {
    const why =
      options.tokenMode === 'off'
        ? 'the instance requires metadata tokens; do not use --metadata-token=off'
        : `the instance requires metadata tokens, but PUT ${TOKEN_PATH} answered HTTP ${fallbackStatus ?? '?'}`;
    return new BadMetadataError(`GET ${path} answered HTTP 403: ${why}`, { details: { path } });
  }

  async function get(path: string, getOptions: { optional?: boolean } = {}): Promise<string | null> {
    if (!SAFE_PATH.test(path) || path.split('/').some((part) => part === '.' || part === '..')) {
      throw new TypeError(`unsafe metadata path: ${JSON.stringify(path)}`);
    }
    return request(`GET ${path}`, path, async () => {
      let used = await currentToken();
      const usedGeneration = generation;
      let answer = await exchange('GET', path, used === null ? {} : { [TOKEN_HEADER]: used });
      if (answer.status === 401 && used !== null) {
        log.debug('metadata token rejected; fetching a new one', { path });
        used = await currentToken(usedGeneration);
        answer = await exchange('GET', path, used === null ? {} : { [TOKEN_HEADER]: used });
      }
      const { status, body } = answer;
      if (status >= 200 && status <= 299) return body;
      if (status === 404 && getOptions.optional) return null;
      if (status === 403 && used === null) throw plainForbidden(path);
      const retryable = status === 429 || status >= 500;
      throw new StatusError(status, retryable, status === 404 ? 'HTTP 404 (not found)' : `HTTP ${status}`);
    });
  }

  let closed: Promise<void> | undefined;
  return {
    get,
    requestCount: () => requests,
    requestsByPath: () => ({ ...byPath }),
    tokenMode: () => (token === null ? 'plain' : 'token'),
    close() {
      closed ??= (async () => {
        clearTimeout(deadlineTimer);
        if (!stop.aborted) stopper.abort(new Error('metadata client closed'));
        await pool.destroy();
      })();
      return closed;
    },
  };
}
