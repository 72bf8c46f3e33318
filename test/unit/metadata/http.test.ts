// Tests for the metadata HTTP client against a real local server: token modes, retries, deadline, caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadMetadataError, MetadataUnreachableError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { createMetadataHttp, MetadataRequestError } from '../../../src/metadata/http.ts';
import type { MetadataHttp, MetadataHttpOptions } from '../../../src/metadata/http.ts';
import { DEADLINE_SLACK_MS, closedPortUrl, startFakeImds } from './fake-imds.ts';
import type { FakeImds, FakeImdsOptions } from './fake-imds.ts';

const MAC_PATH = '/latest/meta-data/mac';
const TREE = { [MAC_PATH]: '00:16:3e:0f:00:01', '/latest/meta-data/instance-id': 'i-bp13' };

/** Runs `body` with a fake service and a client on it, closing both afterwards. */
async function withClient(
  server: Omit<FakeImdsOptions, 'tree'> & { tree?: Record<string, string> },
  client: Partial<MetadataHttpOptions>,
  body: (http: MetadataHttp, imds: FakeImds) => Promise<void>,
): Promise<void> {
  const imds = await startFakeImds({ tree: TREE, ...server });
  const http = createMetadataHttp({
    baseUrl: imds.url,
    deadline: Date.now() + 2000,
    tokenMode: 'auto',
    log: silentLogger,
    random: () => 0,
    ...client,
  });
  try {
    await body(http, imds);
  } finally {
    await http.close();
    await imds.close();
  }
}

const summary = (imds: FakeImds) => imds.requests.map((r) => `${r.method} ${r.path}`);

test('token mode: PUT with the TTL header, then GETs carry the token', async () => {
  await withClient({ token: 'optional' }, {}, async (http, imds) => {
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
    assert.equal(await http.get('/latest/meta-data/instance-id'), 'i-bp13');
    assert.deepEqual(summary(imds), ['PUT /latest/api/token', `GET ${MAC_PATH}`, 'GET /latest/meta-data/instance-id']);
    assert.equal(imds.requests[0]?.headers['x-aliyun-ecs-metadata-token-ttl-seconds'], '21600');
    assert.equal(imds.requests[0]?.headers['x-forwarded-for'], undefined);
    assert.equal(imds.requests[1]?.headers['x-aliyun-ecs-metadata-token'], 'tok-1-AbC');
    assert.equal(imds.requests[2]?.headers['x-aliyun-ecs-metadata-token'], 'tok-1-AbC');
    assert.equal(http.requestCount(), 3);
    assert.equal(http.tokenMode(), 'token');
  });
});

test('concurrent first requests share one token request', async () => {
  await withClient({ token: 'required' }, { tokenTtlSeconds: 60 }, async (http, imds) => {
    const results = await Promise.all(Array.from({ length: 10 }, () => http.get(MAC_PATH)));
    assert.ok(results.every((r) => r === '00:16:3e:0f:00:01'));
    assert.equal(imds.requests.filter((r) => r.method === 'PUT').length, 1);
    assert.equal(imds.requests[0]?.headers['x-aliyun-ecs-metadata-token-ttl-seconds'], '60');
    assert.equal(http.requestCount(), 11);
  });
});

for (const status of [404, 405]) {
  test(`auto mode falls back to plain GETs when the token PUT answers ${status}`, async () => {
    await withClient({ token: 'unsupported', tokenStatus: status }, {}, async (http, imds) => {
      assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
      assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
      assert.deepEqual(summary(imds), ['PUT /latest/api/token', `GET ${MAC_PATH}`, `GET ${MAC_PATH}`]);
      assert.equal(imds.requests[1]?.headers['x-aliyun-ecs-metadata-token'], undefined);
      assert.equal(http.tokenMode(), 'plain');
      assert.equal(http.requestCount(), 3);
    });
  });
}

for (const [status, meaning] of [
  [403, /HTTP 403: metadata access is disabled for this instance or refused by policy/],
  [400, /HTTP 400: the service refused the token TTL of 21600 seconds/],
  [401, /HTTP 401, which is not a known answer of the token endpoint/],
] as const) {
  test(`a token PUT answering ${status} says which case it is and tries no plain GET`, async () => {
    await withClient({ token: 'unsupported', tokenStatus: status }, {}, async (http, imds) => {
      await assert.rejects(http.get(MAC_PATH), (error: unknown) => error instanceof BadMetadataError && meaning.test(error.message));
      assert.deepEqual(summary(imds), ['PUT /latest/api/token']);
    });
  });
}

test('required mode names the missing token endpoint', async () => {
  await withClient({ token: 'unsupported', tokenStatus: 405 }, { tokenMode: 'required' }, async (http) => {
    await assert.rejects(http.get(MAC_PATH), (error: unknown) => error instanceof BadMetadataError && /no token endpoint: PUT \/latest\/api\/token answered HTTP 405/.test(error.message));
  });
});

test('off mode never asks for a token', async () => {
  await withClient({ token: 'optional' }, { tokenMode: 'off' }, async (http, imds) => {
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
    assert.deepEqual(summary(imds), [`GET ${MAC_PATH}`]);
    assert.equal(http.tokenMode(), 'plain');
  });
});

test('required mode does not fall back', async () => {
  await withClient({ token: 'unsupported' }, { tokenMode: 'required' }, async (http, imds) => {
    await assert.rejects(http.get(MAC_PATH), (error: unknown) => error instanceof BadMetadataError && /required/.test(error.message));
    assert.deepEqual(summary(imds), ['PUT /latest/api/token']);
  });
});

test('a 403 on a plain GET after the auto fallback is a hard error', async () => {
  await withClient({ token: 'required', hook: (r) => (r.method === 'PUT' ? { status: 404 } : undefined) }, {}, async (http) => {
    await assert.rejects(http.get(MAC_PATH), (error: unknown) => error instanceof BadMetadataError && /requires metadata tokens/.test(error.message));
  });
  await withClient({ token: 'required' }, { tokenMode: 'off' }, async (http) => {
    await assert.rejects(http.get(MAC_PATH), (error: unknown) => error instanceof BadMetadataError && /--metadata-token=off/.test(error.message));
  });
});

test('an invalid token is rejected', async () => {
  await withClient({ hook: (r) => (r.method === 'PUT' ? { body: 'tok\nX-Evil: 1' } : undefined) }, {}, async (http, imds) => {
    await assert.rejects(http.get(MAC_PATH), BadMetadataError);
    assert.equal(imds.requests.length, 1);
  });
});

test('5xx and 429 answers are retried, the token PUT too', async () => {
  const failures = [503, 503, 429, undefined, 500, 429];
  await withClient({ hook: (_, index) => {
    const status = failures[index];
    return status === undefined ? undefined : { status };
  } }, {}, async (http, imds) => {
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
    assert.deepEqual(summary(imds), [
      'PUT /latest/api/token',
      'PUT /latest/api/token',
      'PUT /latest/api/token',
      'PUT /latest/api/token',
      `GET ${MAC_PATH}`,
      `GET ${MAC_PATH}`,
      `GET ${MAC_PATH}`,
    ]);
    assert.equal(http.requestCount(), 7);
    assert.equal(http.tokenMode(), 'token');
  });
});

test('a slow answer times out and is retried', async () => {
  const started = Date.now();
  await withClient({ hook: (r, i) => (r.method === 'GET' && i === 1 ? { delayMs: 3000 } : undefined) }, { requestTimeoutMs: 150 }, async (http, imds) => {
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
    assert.equal(imds.requests.length, 3);
    assert.ok(Date.now() - started < 2000, 'did not wait for the slow answer');
  });
});

test('a 401 (expired token) fetches one new token, shared by concurrent requests', async () => {
  await withClient({ token: 'required' }, {}, async (http, imds) => {
    await http.get(MAC_PATH);
    imds.expireTokens();
    const results = await Promise.all(Array.from({ length: 5 }, () => http.get('/latest/meta-data/instance-id')));
    assert.ok(results.every((r) => r === 'i-bp13'));
    const puts = imds.requests.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 2);
    const last = imds.requests.at(-1);
    assert.equal(last?.headers['x-aliyun-ecs-metadata-token'], 'tok-2-AbC');
    assert.equal(http.requestCount(), 2 + 5 + 1 + 5);
  });
});

test('a token rejected again after the refresh is an error, not a loop', async () => {
  await withClient({ token: 'required', hook: (r) => (r.method === 'GET' ? { status: 401 } : undefined) }, {}, async (http, imds) => {
    await assert.rejects(http.get(MAC_PATH), (error: unknown) => error instanceof MetadataRequestError && error.status === 401 && error.path === MAC_PATH);
    assert.deepEqual(summary(imds), ['PUT /latest/api/token', `GET ${MAC_PATH}`, 'PUT /latest/api/token', `GET ${MAC_PATH}`]);
  });
});

test('404: null for optional items, an error (not retried) for required ones', async () => {
  await withClient({}, {}, async (http, imds) => {
    assert.equal(await http.get('/latest/meta-data/nothing', { optional: true }), null);
    await assert.rejects(
      http.get('/latest/meta-data/nothing'),
      (error: unknown) => error instanceof MetadataRequestError && error.status === 404 && error.path === '/latest/meta-data/nothing',
    );
    assert.equal(imds.requests.length, 3);
  });
});

test('a body over the cap is an error, with or without content-length', async () => {
  const big = 'x'.repeat(5000);
  await withClient({ tree: { ...TREE, '/latest/meta-data/big': big } }, { maxResponseBytes: 4096 }, async (http, imds) => {
    await assert.rejects(http.get('/latest/meta-data/big'), (error: unknown) => error instanceof MetadataRequestError && /larger than 4096/.test(error.message));
    assert.equal(imds.requests.length, 2, 'not retried');
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
  });
  const hook = (r: { path: string }) => (r.path === '/latest/meta-data/big' ? { chunked: { chunk: 'y'.repeat(1024), count: 10_000 } } : undefined);
  await withClient({ hook, tree: { ...TREE, '/latest/meta-data/big': '' } }, { maxResponseBytes: 4096 }, async (http) => {
    await assert.rejects(http.get('/latest/meta-data/big'), (error: unknown) => error instanceof MetadataRequestError && /larger than 4096/.test(error.message));
  });
});

test('at most maxConcurrency requests are in flight', async () => {
  await withClient({ hook: (r) => (r.method === 'GET' ? { delayMs: 30 } : undefined) }, { maxConcurrency: 3 }, async (http, imds) => {
    await Promise.all(Array.from({ length: 12 }, () => http.get(MAC_PATH)));
    assert.equal(imds.maxInFlight(), 3);
  });
});

test('unsafe paths are refused before any request', async () => {
  await withClient({}, {}, async (http, imds) => {
    for (const path of ['/etc/passwd', '/latest/../x', '/latest/meta-data/a b', '/latest/meta-data/x\nHost: y', 'latest/meta-data', '/latest/meta-data/?q=1', '/latest//x']) {
      await assert.rejects(http.get(path), TypeError, path);
    }
    assert.equal(imds.requests.length, 0);
  });
});

test('an unreachable service rejects with MetadataUnreachableError within the deadline', async () => {
  const baseUrl = await closedPortUrl();
  const started = Date.now();
  const http = createMetadataHttp({ baseUrl, deadline: started + 400, tokenMode: 'auto', log: silentLogger });
  try {
    await assert.rejects(
      http.get(MAC_PATH),
      (error: unknown) => error instanceof MetadataUnreachableError && /ECONNREFUSED/.test(error.message) && /not reachable/.test(error.message),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 400 + DEADLINE_SLACK_MS, `took ${elapsed} ms`);
    assert.ok(http.requestCount() >= 3, `retried: ${http.requestCount()}`);
  } finally {
    await http.close();
  }
});

test('a service that only ever answers 500 or hangs ends at the deadline', async () => {
  for (const hook of [() => ({ status: 500 }), () => ({ delayMs: 5000 })]) {
    const started = Date.now();
    await withClient({ hook }, { deadline: started + 500, requestTimeoutMs: 200 }, async (http) => {
      await assert.rejects(http.get(MAC_PATH), MetadataUnreachableError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 500 + DEADLINE_SLACK_MS, `took ${elapsed} ms`);
    });
  }
});

test('items failing after the service answered are attributed, with the last status', async () => {
  const started = Date.now();
  const hook = (r: { path: string }) => (r.path === '/latest/meta-data/instance-id' ? { status: 502 } : undefined);
  await withClient({ hook }, { deadline: started + 400 }, async (http) => {
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
    await assert.rejects(
      http.get('/latest/meta-data/instance-id'),
      (error: unknown) => error instanceof MetadataRequestError && error.status === 502 && error.path === '/latest/meta-data/instance-id',
    );
    assert.ok(Date.now() - started < 400 + DEADLINE_SLACK_MS);
  });
});

test('the deadline destroys the pool: queued and in-flight requests end with MetadataUnreachableError, no later', async () => {
  const started = Date.now();
  // requestTimeoutMs far beyond the deadline: only the deadline can end these requests.
  await withClient({ hook: () => ({ delayMs: 5000 }) }, { deadline: started + 300, requestTimeoutMs: 10_000, maxConcurrency: 2, tokenMode: 'off' }, async (http, imds) => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => http.get(MAC_PATH)));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 280 && elapsed < 300 + DEADLINE_SLACK_MS, `took ${elapsed} ms`);
    for (const result of results) {
      assert.ok(result.status === 'rejected' && result.reason instanceof MetadataUnreachableError, String(result.status === 'rejected' ? result.reason : result.value));
    }
    assert.equal(imds.maxInFlight(), 2, 'two in flight, the rest queued in the pool');
    assert.equal(http.requestCount(), 6, 'one attempt each: nothing retried after the deadline');
  });
});

/** A logger that keeps the info lines. */
function recordingLogger(): { log: typeof silentLogger; infos: { message: string; fields: Record<string, unknown> }[] } {
  const infos: { message: string; fields: Record<string, unknown> }[] = [];
  return { log: { ...silentLogger, info: (message, fields = {}) => infos.push({ message, fields }) }, infos };
}

test('while the service does not answer, it says so at info level: at the first failure, then every interval', async () => {
  const baseUrl = await closedPortUrl();
  const { log, infos } = recordingLogger();
  const started = Date.now();
  const http = createMetadataHttp({ baseUrl, deadline: started + 1100, tokenMode: 'auto', log, waitLogEveryMs: 400 });
  try {
    await assert.rejects(http.get(MAC_PATH), (error: unknown) => {
      assert.ok(error instanceof MetadataUnreachableError);
      assert.match(error.message, /Is this an ECS instance with the metadata service enabled\? Check `curl http:\/\/127\.0\.0\.1:\d+\/latest\/meta-data\/` and the route to 127\.0\.0\.1$/);
      return true;
    });
  } finally {
    await http.close();
  }
  assert.ok(infos.length >= 2 && infos.length <= 3, `${infos.length} lines: ${JSON.stringify(infos)}`);
  const [first, second] = infos;
  assert.equal(first?.message, 'waiting for the metadata service');
  assert.equal(first?.fields['url'], `${baseUrl}/latest/api/token`);
  assert.match(String(first?.fields['lastError']), /ECONNREFUSED/);
  assert.ok(Number(first?.fields['leftS']) > 0.8 && Number(first?.fields['leftS']) <= 1.1, `left ${first?.fields['leftS']}`);
  assert.ok(Number(second?.fields['leftS']) < Number(first?.fields['leftS']) - 0.3, 'time left counts down');
});

test('by default one waiting line per 5 s, and none once the service has answered', async () => {
  const baseUrl = await closedPortUrl();
  const { log, infos } = recordingLogger();
  const http = createMetadataHttp({ baseUrl, deadline: Date.now() + 600, tokenMode: 'off', log });
  try {
    await assert.rejects(http.get(MAC_PATH), MetadataUnreachableError);
  } finally {
    await http.close();
  }
  assert.equal(infos.length, 1, JSON.stringify(infos));
  const answered = recordingLogger();
  const failures = [undefined, 503, 503];
  await withClient({ hook: (_, index) => (failures[index] === undefined ? undefined : { status: failures[index] as number }) }, { tokenMode: 'off', log: answered.log }, async (http) => {
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
    assert.equal(await http.get(MAC_PATH), '00:16:3e:0f:00:01');
  });
  assert.deepEqual(answered.infos, [], 'a 5xx after a first answer is not "waiting for the service"');
});
