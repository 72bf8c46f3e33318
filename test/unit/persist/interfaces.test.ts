// Tests for the per-interface shape the persistent backends render: an ENI whose IPv6 side is unknown is not rewritten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDesiredState } from '../../../src/plan/desired.ts';
import { persistInterfaces } from '../../../src/persist/interfaces.ts';
import { MAC0, MAC1, eni, liveState, metadata } from '../fixtures.ts';

const input = (ipv6Problems?: { field: string; message: string }[]) => ({
  metadata: metadata({
    enis: [
      eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253'),
      eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', ipv6Problems === undefined ? {} : { ipv6Problems }),
    ],
  }),
  interfaces: liveState().interfaces,
  exclude: [],
  primaryRules: false,
  mainRoutesFirst: false,
  numbering: { tableBase: 1000, priorityBase: 20000 },
});

test('an ENI whose IPv6 side is unknown keeps its persisted config as it is (no file without its IPv6)', () => {
  assert.ok(persistInterfaces(buildDesiredState(input())).some((iface) => iface.mac === MAC1));
  const unknown = persistInterfaces(buildDesiredState(input([{ field: 'ipv6-gateway', message: 'could not read: HTTP 500' }])));
  assert.ok(!unknown.some((iface) => iface.mac === MAC1));
  assert.ok(unknown.some((iface) => iface.mac === MAC0));
});
