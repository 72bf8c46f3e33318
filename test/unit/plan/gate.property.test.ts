// Property tests of the pure core (gate -> desired state -> diff -> batch lines) over generated, partly hostile
// metadata and live states: the invariants hold for every input, not just the examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gate, metadataAddressOf, reservedName } from '../../../src/plan/gate.ts';
import { renderBatches } from '../../../src/apply/batch.ts';
import type { DesiredObject, Family } from '../../../src/model.ts';
import { cidrContains, networkOf } from '../../../src/net/address.ts';
import { HOSTILE_V4, HOSTILE_V6, NUMBERING, planOf, scenarioArbitrary } from './arbitraries.ts';

const RUNS = { numRuns: 200, seed: Number(process.env.FC_SEED ?? 20261202) };


// The grammar of every `ip` line eni-init means to run (after `ip -4`/`ip -6 -batch`), tag and ranges included.
const IFNAME = '[A-Za-z0-9_.@+-]{1,15}';
const V4 = '(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const V6 = '[0-9a-f:]{2,39}';
const IP = `(?:${V4}|${V6})`;
const CIDR = `${IP}/\\d{1,3}`;
const TABLE = '(?:10\\d\\d|11\\d\\d|12[0-4]\\d|125[0-5])'; // 1000..1255 with the test numbering
const PREF = '(?:19999|200\\d\\d|201\\d\\d|202[0-4]\\d|2025[0-5])';
const GRAMMAR = [
  new RegExp(`^link set dev ${IFNAME} up$`),
  new RegExp(`^address (?:add|del) ${IP}/(?:32|128) dev ${IFNAME}(?: nodad)?$`),
  new RegExp(`^route (?:add|del) (?:default|${CIDR})(?: via ${IP})? dev ${IFNAME} table ${TABLE} proto 203(?: scope link)?(?: src ${IP})?(?: onlink)?$`),
  new RegExp(`^rule (?:add|del) pref ${PREF}(?: from ${CIDR})? table (?:${TABLE}|main)(?: suppress_prefixlength 0)? protocol 203$`),
];

const addressesOf = (object: DesiredObject): string[] => {
  if (object.kind === 'address') return [object.address];
  if (object.kind === 'rule' && object.from !== undefined) return [object.from.split('/')[0] as string];
  if (object.kind === 'route') return [...(object.gateway === undefined ? [] : [object.gateway]), ...(object.prefsrc === undefined ? [] : [object.prefsrc])];
  return [];
};
const familyOf = (ip: string): Family => (ip.includes(':') ? 6 : 4);

test('every batch line is in the grammar of the commands eni-init means to run; no replace', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { plan } = planOf(scenario);
      const batches = renderBatches(plan.operations);
      for (const { line } of [...batches[4], ...batches[6]]) {
        assert.ok(GRAMMAR.some((pattern) => pattern.test(line)), `outside the grammar: ${JSON.stringify(line)}`);
      }
      assert.ok(!plan.operations.some((operation) => operation.action === 'replace'));
    }),
    RUNS,
  );
});

test('no added address or rule source outside its ENI subnet, reserved, the metadata service, a subnet end or a gateway', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { plan, desired } = planOf(scenario);
      const metadataAddresses = metadataAddressOf(scenario.metadataUrl);
      for (const operation of plan.operations.filter((entry) => entry.action === 'add' && (entry.object.kind === 'address' || entry.object.kind === 'rule'))) {
        const eni = desired.enis.find((entry) => entry.mac === operation.mac)?.metadata;
        const object = operation.object;
        if (object.kind === 'rule' && object.table === 'main') continue;
        assert.ok(eni !== undefined, `an added object without its ENI: ${JSON.stringify(operation)}`);
        for (const ip of addressesOf(object)) {
          const family = familyOf(ip);
          const subnet = family === 4 ? eni.subnet : eni.ipv6Subnet;
          assert.ok(subnet !== undefined && cidrContains(subnet, ip, family), `${ip} outside ${String(subnet)}`);
          assert.equal(reservedName(ip, family), undefined, `${ip} reserved`);
          assert.ok(!metadataAddresses.includes(ip), `${ip} is the metadata service`);
          assert.ok(![...HOSTILE_V4, ...HOSTILE_V6].includes(ip), `${ip} hostile`);
          if (object.kind === 'address' || (object.kind === 'rule' && object.from?.endsWith(family === 4 ? '/32' : '/128'))) {
            assert.notEqual(`${ip}/${subnet.split('/')[1]}`, subnet, `${ip} is the subnet's first address`);
            if (family === 4) assert.notEqual(networkOf(ip, 32, 4), broadcastOf(subnet), `${ip} is the broadcast address`);
            assert.notEqual(ip, family === 4 ? eni.gateway : eni.ipv6Gateway, `${ip} is the gateway`);
          }
        }
        if (eni.vswitchCidrBlock !== undefined) assert.equal(eni.subnet, eni.vswitchCidrBlock, 'netmask agrees with the vSwitch block');
      }
    }),
    RUNS,
  );
});

function broadcastOf(subnet: string): string {
  const [network = '', length = '32'] = subnet.split('/');
  const value = network.split('.').reduce((sum, part) => sum * 256 + Number(part), 0) + 2 ** (32 - Number(length)) - 1;
  return `${[value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.')}/32`;
}

test('nothing of a failed ENI reaches the plan, and its addresses are added nowhere', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { plan, desired } = planOf(scenario);
      const gated = gate({
        enis: scenario.metadata.enis,
        failed: scenario.metadata.failed,
        primaryMac: scenario.metadata.instance.primaryMac,
        interfaces: scenario.interfaces,
        routes: scenario.routes,
        recorded: scenario.recorded,
        metadataAddresses: metadataAddressOf(scenario.metadataUrl),
      });
      const failedMacs = new Set(gated.failed.map((entry) => entry.mac));
      for (const eni of desired.enis) if (failedMacs.has(eni.mac)) assert.deepEqual(eni.objects, [], `failed ENI ${eni.mac} has objects`);
      const failedAddresses = new Set(scenario.metadata.enis.filter((eni) => failedMacs.has(eni.mac)).flatMap((eni) => [...eni.privateIpv4s, ...eni.ipv6s]));
      for (const operation of plan.operations) {
        if (operation.action === 'delete') continue;
        assert.ok(operation.mac === undefined || !failedMacs.has(operation.mac), `operation of a failed ENI: ${JSON.stringify(operation)}`);
        for (const ip of addressesOf(operation.object)) {
          if (operation.object.kind === 'route') continue;
          assert.ok(!failedAddresses.has(ip), `${ip} of a failed ENI added: ${JSON.stringify(operation)}`);
        }
      }
    }),
    RUNS,
  );
});

test('no address is added that lives on another interface and was not recorded there as ours', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { plan } = planOf(scenario);
      const macOf = new Map(scenario.interfaces.map((iface) => [iface.name, iface.mac]));
      for (const operation of plan.operations) {
        if (operation.action !== 'add' || operation.object.kind !== 'address') continue;
        const { ifname, address } = operation.object;
        for (const iface of scenario.interfaces) {
          if (iface.name === ifname || iface.mac === macOf.get(ifname)) continue;
          const live = iface.addresses.some((entry) => entry.address === address);
          // A move is allowed only away from the interface of an ENI whose metadata validated.
          const movable = scenario.recorded.some((entry) => entry.ifname === iface.name && entry.address === address) && scenario.metadata.enis.some((eni) => eni.mac === iface.mac);
          assert.ok(!live || movable, `${address} added to ${ifname} while live on ${iface.name}`);
        }
      }
    }),
    RUNS,
  );
});


test("no added rule's source covers an address live on another interface (eth0's included) or the metadata service", () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { plan, desired } = planOf(scenario);
      for (const operation of plan.operations) {
        const object = operation.object;
        if (operation.action !== 'add' || object.kind !== 'rule' || object.from === undefined) continue;
        const own = desired.enis.find((eni) => eni.mac === operation.mac)?.ifname;
        assert.ok(!cidrContains(object.from, '100.100.100.200', 4), `${object.from} covers the metadata service`);
        for (const iface of scenario.interfaces) {
          if (iface.name === own) continue;
          for (const live of iface.addresses) {
            if (live.family !== object.family || !cidrContains(object.from, live.address, live.family)) continue;
            const movable =
              scenario.recorded.some((entry) => entry.ifname === iface.name && entry.address === live.address && entry.prefixLength === live.prefixLength) &&
              scenario.metadata.enis.some((eni) => eni.mac === iface.mac);
            assert.ok(movable, `${object.from} covers ${live.address} on ${iface.name}`);
          }
        }
      }
    }),
    RUNS,
  );
});
