// HTTP client for the metadata service: one undici Pool dispatched directly, token mode, retries after a first failure, one deadline.
import { setTimeout as sleep } from 'node:timers/promises';
import Pool from 'undici/lib/dispatcher/pool.js';
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
  /** While the service has never answered: how often to say so at info level (default 5000 ms). */
  waitLogEveryMs?: number;
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

/** The overall deadline passed, or the client was closed (never the "last error" worth reporting). */
class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
}

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
/** While the service has never answered, a progress line at info level at the first failure and then this often. */
const WAIT_LOG_EVERY_MS = 5000;

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

/** The declared content-length of undici's raw response headers (name, value, name, value...); 0 when absent or malformed. */
function contentLength(raw: Buffer[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer;
    if (name.length === 14 && name.toString('latin1').toLowerCase() === 'content-length') {
      const value = (raw[i + 1] as Buffer).toString('latin1').trim();
      return /^[0-9]{1,15}$/.test(value) ? Number(value) : 0;
    }
  }
  return 0;
}

interface Answer {
  status: number;
  body: string;
}

export function createMetadataHttp(options: MetadataHttpOptions): MetadataHttp {
  const { deadline, log } = options;
  const origin = new URL(options.baseUrl).origin;
  const maxConcurrency = options.maxConcurrency ?? 16;
  const requestTimeoutMs = options.requestTimeoutMs ?? 2000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const tokenTtl = String(options.tokenTtlSeconds ?? 21600);
  const random = options.random ?? Math.random;
  const waitLogEveryMs = options.waitLogEveryMs ?? WAIT_LOG_EVERY_MS;
  // The pool is the only limiter: `connections` bounds the requests in flight (pipelining 1), the rest wait in its
  // queue. undici's own connect/headers/body timeouts bound each attempt; no timer or AbortController per request.
  const pool = new Pool(origin, {
    connections: maxConcurrency,
    connect: { timeout: requestTimeoutMs },
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  });
  // One deadline for the whole client: destroying the pool ends every queued and in-flight request with this error.
  let stopped: DeadlineError | undefined;
  const stop = (error: DeadlineError): Promise<void> => {
    stopped ??= error;
    return pool.destroy(error).catch(() => undefined);
  };
  const deadlineTimer = setTimeout(() => void stop(new DeadlineError('the metadata deadline passed')), Math.min(2 ** 31 - 1, Math.max(0, deadline - Date.now())));
  deadlineTimer.unref();

  let requests = 0;
  const byPath: Record<string, number> = {};
  let contacted = false;
  let token: string | null = null;
  let generation = 0;
  let decided = options.tokenMode === 'off';
  let tokenTask: Promise<void> | null = null;
  let fallbackStatus: number | undefined;
  let lastWaitLog = -Infinity;

  /** One HTTP exchange on the pool; the body is kept only for 2xx, up to the size cap, without a stream. */
  function exchange(method: 'GET' | 'PUT', path: string, headers: Record<string, string>): Promise<Answer> {
    if (stopped) return Promise.reject(stopped);
    if (deadline - Date.now() < MIN_ATTEMPT_MS) return Promise.reject(new DeadlineError('the metadata deadline passed'));
    requests++;
    byPath[path] = (byPath[path] ?? 0) + 1;
    return new Promise<Answer>((resolve, reject) => {
      let status = 0;
      let keep = false;
      let size = 0;
      const chunks: Buffer[] = [];
      let abort: ((error?: Error) => void) | undefined;
      const tooLarge = () => new StatusError(status, false, `response larger than ${maxResponseBytes} bytes`);
      pool.dispatch(
        { origin, method, path, headers },
        {
          onConnect(abortRequest: (error?: Error) => void) {
            abort = abortRequest;
          },
          onHeaders(statusCode: number, raw: Buffer[]) {
            if (statusCode < 200) return true; // 1xx: the final answer follows
            status = statusCode;
            if (status < 500 && status !== 429) contacted = true;
            keep = status >= 200 && status <= 299;
            if (keep && contentLength(raw) > maxResponseBytes) abort?.(tooLarge());
            return true;
          },
          onData(chunk: Buffer) {
            if (!keep) return true;
            size += chunk.length;
            if (size > maxResponseBytes) abort?.(tooLarge());
            else chunks.push(chunk);
            return true;
          },
          onComplete() {
            resolve({ status, body: keep ? Buffer.concat(chunks, size).toString('utf8') : '' });
          },
          onError(error: Error) {
            reject(error);
          },
        },
      );
    });
  }

  /** Before a retry: gives up on a permanent error or near the deadline, says what it waits for, then sleeps with jitter. */
  async function beforeRetry(what: string, error: unknown, attemptNumber: number): Promise<void> {
    if (!isRetryable(error) || stopped) throw error;
    const now = Date.now();
    const left = deadline - now - MIN_ATTEMPT_MS;
    if (left <= 0) throw error;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(10, attemptNumber - 1));
    const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
    if (!contacted && now - lastWaitLog >= waitLogEveryMs) {
      lastWaitLog = now;
      const url = `${origin}${what.slice(what.indexOf(' ') + 1)}`;
      log.info('waiting for the metadata service', { url, lastError: describe(error), leftS: Math.round((deadline - now) / 100) / 10 });
    } else {
      log.debug('metadata request failed; retrying', { what, attempt: attemptNumber, error: describe(error), delayMs: delay });
    }
    await sleep(Math.min(delay, left));
  }

  /** Maps the last failure of a request to the error the caller sees. */
  function finalError(what: string, path: string, error: unknown, last: unknown): Error {
    if (error instanceof EniInitError || error instanceof MetadataRequestError) return error;
    const cause = error instanceof DeadlineError && last !== undefined ? last : error;
    if (!contacted) {
      return new MetadataUnreachableError(
        `metadata service ${origin} not reachable before the deadline (token mode ${options.tokenMode}; ` +
          `${requests} request(s) sent, last ${what}): ${describe(cause)}. Is this an ECS instance with the metadata service ` +
          `enabled? Check \`curl ${origin}/latest/meta-data/\` and the route to ${new URL(origin).hostname}`,
        { cause, details: { url: origin, path, requests, lastError: describe(cause) } },
      );
    }
    const status = cause instanceof StatusError ? cause.status : undefined;
    return new MetadataRequestError(`${what}: ${describe(cause)}`, path, status, cause);
  }

  /**
   * Runs one logical request and maps its failure. The first attempt runs bare; only after it failed does p-retry
   * take over (jittered exponential backoff until the deadline nears), so a request that succeeds at once pays nothing.
   */
  async function request<T>(what: string, path: string, attempt: () => Promise<T>): Promise<T> {
    let last: unknown;
    const retry = (error: unknown, attemptNumber: number) => {
      if (!(error instanceof DeadlineError)) last = error;
      return beforeRetry(what, error, attemptNumber);
    };
    try {
      try {
        return await attempt();
      } catch (error) {
        await retry(error, 1);
      }
      return await pRetry(attempt, { forever: true, retries: 0, minTimeout: 0, maxTimeout: 0, onFailedAttempt: (error) => retry(error, error.attemptNumber + 1) });
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
      clearTimeout(deadlineTimer);
      closed ??= stop(new DeadlineError('metadata client closed'));
      return closed;
    },
  };
}
