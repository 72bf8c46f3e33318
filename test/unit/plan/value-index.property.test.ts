// The linear lookups of the one-pass work agree with the naive scans they replaced: covered() vs a filter, keepPresent vs nested some().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { covered, valueIndex } from '../../../src/plan/value-index.ts';
import { cidrRange, ipValue, within } from '../../../src/plan/ranges.ts';
import { keepPresent } from '../../../src/apply/verify.ts';
import type { Family, LiveState, RecordedAddress } from '../../../src/model.ts';

// Few values, so that ranges cover some and duplicates occur.
const v4 = fc.tuple(fc.constantFrom(10, 192), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([a, c, d]) => `${a}.0.${c}.${d}`);
const v6 = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([c, d]) => `2001:db8:0:${c}::${d.toString(16)}`);
const item = fc.oneof(v4.map((address) => ({ family: 4 as Family, address })), v6.map((address) => ({ family: 6 as Family, address })), fc.constant({ family: 4 as Family, address: 'not-an-ip' }));
const range = fc.oneof(
  fc.tuple(v4, fc.integer({ min: 20, max: 32 })).map(([address, length]) => cidrRange(`${address}/${length}`, 4)),
  fc.tuple(v6, fc.integer({ min: 100, max: 128 })).map(([address, length]) => cidrRange(`${address}/${length}`, 6)),
);

test('covered() finds exactly what a scan of every item finds, in input order', () => {
  fc.assert(
    fc.property(fc.array(item, { maxLength: 60 }), range, (items, r) => {
      assert.ok(r !== undefined);
      const naive = items.filter((entry) => {
        if (entry.family !== r.family) return false;
        const value = ipValue(entry.address, entry.family);
        return value !== undefined && within(value, r);
      });
      assert.deepEqual(covered(valueIndex(items, (entry) => entry.family, (entry) => entry.address), r), naive);
    }),
  );
});

/** The quadratic keepPresent of before, kept here as the reference. */
function naiveKeepPresent(recorded: readonly RecordedAddress[], live: LiveState): RecordedAddress[] {
  const seen = new Set<string>();
  return recorded.filter((entry) => {
    const key = `${entry.ifname}|${entry.address}`;
    const present = live.interfaces.some((iface) => iface.name === entry.ifname && iface.addresses.some((address) => address.address === entry.address && address.prefixLength === entry.prefixLength));
    if (!present || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

test('keepPresent keeps what the nested scan keeps, in the same order', () => {
  const names = fc.constantFrom('eth1', 'eth2', 'eth3');
  const address = fc.tuple(v4, fc.constantFrom(24, 32));
  const recorded = fc.array(
    fc.tuple(names, address).map(([ifname, [addr, prefixLength]]): RecordedAddress => ({ ifname, mac: '00:16:3e:00:00:02', family: 4, address: addr, prefixLength })),
    { maxLength: 30 },
  );
  const live = fc.array(fc.tuple(names, fc.array(address, { maxLength: 10 })), { maxLength: 4 }).map(
    (ifaces): LiveState => ({
      interfaces: ifaces.map(([name, addresses], index) => ({
        name,
        index: index + 2,
        mac: `00:16:3e:00:00:0${index}`,
        up: true,
        addresses: addresses.map(([addr, prefixLength]) => ({ family: 4 as Family, address: addr, prefixLength })),
      })),
      routes: [],
      rules: [],
    }),
  );
  fc.assert(fc.property(recorded, live, (entries, state) => assert.deepEqual(keepPresent(entries, state), naiveKeepPresent(entries, state))));
});
