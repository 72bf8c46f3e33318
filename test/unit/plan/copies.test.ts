// The diff with a manager's copy present: never added again, ours deleted only where a backend persists it, the manager's never.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDesiredState } from '../../../src/plan/desired.ts';
import { diff, objectKey } from '../../../src/plan/diff.ts';
import { DUPLICATE_REASON, forgottenCopies } from '../../../src/plan/copies.ts';
import { commandFor } from '../../../src/apply/batch.ts';
import type { DesiredObject, LiveRoute, LiveRule, LiveState } from '../../../src/model.ts';
import { MAC0, MAC1, eni, liveState, metadata } from '../fixtures.ts';

const numbering = { tableBase: 1000, priorityBase: 20000 };
const meta = metadata({ enis: [eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253'), eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253')] });

const rule = (protocol: string): LiveRule => ({ family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001, protocol });
const mainFirst = (protocol: string): LiveRule => ({ family: 4, priority: 19999, table: 'main', suppressPrefixLength: 0, protocol });
const subnet = (protocol: string): LiveRoute => ({ family: 4, table: 1001, dst: '10.0.0.0/24', dev: 'eth1', protocol, scope: 'link', prefsrc: '10.0.0.30' });
const gateway = (protocol: string): LiveRoute => ({ family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol });

/** eth1 converged, with our copies and/or the manager's (proto static) of its rule, routes and the main-first rule. */
function live(protocols: string[]): LiveState {
  const state = liveState();
  state.interfaces[2]?.addresses.push({ family: 4, address: '10.0.0.30', prefixLength: 32 });
  for (const protocol of protocols) {
    state.rules.push(rule(protocol), mainFirst(protocol));
    state.routes.push(subnet(protocol), gateway(protocol));
  }
  return state;
}

function plan(state: LiveState, persistedKeys?: Set<string>) {
  const desired = buildDesiredState({ metadata: meta, interfaces: state.interfaces, exclude: [], primaryRules: false, mainRoutesFirst: true, numbering, routes: state.routes });
  return { desired, plan: diff({ desired, live: state, recorded: [], numbering, allowRemovals: true, ...(persistedKeys === undefined ? {} : { persistedKeys }) }) };
}

const allKeys = (state: LiveState): Set<string> => {
  const { desired } = plan(state);
  return new Set([...desired.enis.flatMap((entry) => entry.objects), ...desired.global].map(objectKey));
};

test("the manager's copy alone satisfies the desired rule and routes: nothing is added", () => {
  assert.deepEqual(plan(live(['static'])).plan.operations, []);
});

test('both copies, not persisted (--persist=none): ours stays, nothing is deleted', () => {
  assert.deepEqual(plan(live(['203', 'static'])).plan.operations, []);
});

test('both copies, persisted: ours is deleted exactly (our protocol), the manager\'s never', () => {
  const state = live(['203', 'static']);
  const { operations } = plan(state, allKeys(state)).plan;
  assert.equal(operations.length, 4, JSON.stringify(operations));
  for (const operation of operations) {
    assert.equal(operation.action, 'delete');
    assert.equal(operation.reason, DUPLICATE_REASON);
    assert.match(commandFor(operation), / (proto|protocol) 203( |$)/);
  }
});

test('persisted, but only our copy live: ours stays (the manager has not applied it)', () => {
  const state = live(['203']);
  assert.deepEqual(plan(state, allKeys(state)).plan.operations, []);
});

test('persisted keys of another object do not drop ours', () => {
  const state = live(['203', 'static']);
  assert.deepEqual(plan(state, new Set(['rule|4|20005|10.0.0.99/32|1005|'])).plan.operations, []);
});

test('remove: only foreign copies in our ranges exactly equal to a forgotten object, each with its protocol', () => {
  const forgotten: DesiredObject[] = [
    { kind: 'rule', family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001 },
    { kind: 'rule', family: 4, priority: 19999, table: 'main', suppressPrefixLength: 0 },
    { kind: 'route', family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', ifname: 'eth1' },
  ];
  const state = live(['static']);
  // An admin's: the same selector at a priority outside our range, another source in our range, a route elsewhere.
  state.rules.push({ ...rule('static'), priority: 100 }, { ...rule('static'), from: '10.0.0.99/32' }, { ...rule('boot'), table: 'main' });
  state.routes.push({ ...gateway('static'), table: 254 }, { ...gateway('static'), gateway: '10.0.0.1', dev: 'eth0' });
  const operations = forgottenCopies(forgotten, state, numbering, objectKey);
  assert.deepEqual(operations.map(commandFor).sort(), [
    'route del default via 10.0.0.253 dev eth1 table 1001 proto static',
    'rule del pref 19999 table main suppress_prefixlength 0 protocol static',
    'rule del pref 20001 from 10.0.0.30/32 table 1001 protocol static',
  ]);
  assert.deepEqual(forgottenCopies([], state, numbering, objectKey), []);
});

test('remove never deletes a copy whose protocol could not be written back safely', () => {
  const state = live([]);
  state.rules.push(rule('bad proto'));
  assert.deepEqual(forgottenCopies([{ kind: 'rule', family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001 }], state, numbering, objectKey), []);
});
