// Test helper: the one fake metadata service (test/sim/imds-server.ts) in-process on 127.0.0.1, serving a tree of
// full paths verbatim (a capture), with programmable token mode, hooks for failures and delays, and request records.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createImdsServer } from '../../sim/imds-server.ts';
import type { Override, SeenRequest } from '../../sim/imds-server.ts';
import type { ImdsConfig } from '../../sim/imds-config.ts';
import type { TokenStore } from '../../sim/imds-token.ts';

export type { Override, SeenRequest } from '../../sim/imds-server.ts';

/** What a deadline check allows beyond the deadline: timers and scheduling on a loaded 2-core CI machine. */
export const DEADLINE_SLACK_MS = 400;

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
  let inFlight = 0;
  let maxInFlight = 0;
  let store: TokenStore | undefined;
  const config: ImdsConfig = {
    instanceId: 'i-unit',
    regionId: 'cn-hangzhou',
    zoneId: 'cn-hangzhou-i',
    primaryMac: '',
    enis: [],
    token: options.token ?? 'optional',
    ...(options.tokenStatus === undefined ? {} : { tokenStatus: options.tokenStatus }),
    all: false,
    latencyMs: 0,
    faults: [],
    capture: { responses: options.tree },
  };
  const server = createImdsServer({
    config: () => config,
    controlAddresses: () => [],
    numberedTokens: true,
    tokens: (tokens) => {
      store = tokens;
    },
    onRequest: (request) => requests.push(request),
    ...(options.hook === undefined ? {} : { hook: options.hook }),
  });
  server.on('request', (_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    expireTokens: () => store?.clear(),
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
