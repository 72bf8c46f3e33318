// SPAWNS `nmcli --offline` (NetworkManager >= 1.40, extracted by build/setup.sh; $ENI_INIT_TEST_NMCLI overrides): keyfiles must round-trip intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renderNetworkManager } from '../../../../src/persist/render/networkmanager.ts';
import { cases } from '../../../unit/persist/render/fixtures.ts';

// nmcli --offline reads a keyfile on stdin and prints it normalized, without a running NetworkManager. It is the
// check that matters: NetworkManager silently drops a whole routeN_options value it cannot parse (table included).
const NMCLI = process.env['ENI_INIT_TEST_NMCLI'] ?? '/var/cache/eni-init-test/network-manager/usr/bin/nmcli';

function available(): boolean {
  try {
    execFileSync(NMCLI, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
// build/setup.sh provides it: a missing nmcli is a failed test, not a skip.
test('nmcli for the keyfile round-trip is there (build/setup.sh extracts it)', () => {
  assert.ok(available(), `no usable ${NMCLI}: run build/setup.sh, or set ENI_INIT_TEST_NMCLI to an nmcli >= 1.40`);
});
const skip = available() ? false : 'nmcli missing (see the failed test above)';

type Keyfile = Map<string, Map<string, string>>;

/** Sections and keys of a keyfile, with the differences NetworkManager's writer makes taken out. */
function parse(text: string): Keyfile {
  const result: Keyfile = new Map();
  let section: Map<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      result.set(header[1] as string, section);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `not a keyfile line: ${line}`);
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    if (key === 'mac-address') value = value.toLowerCase();
    if (key.startsWith('routing-rule')) value = value.replace(/ from ([0-9a-f.:]+)\/(?:32|128) /, ' from $1 ');
    if (key === 'autoconnect' && value === 'true') continue; // the default: not written back
    section.set(key, value);
  }
  result.delete('proxy'); // added empty by nmcli
  return result;
}

for (const { name, iface } of cases.filter((entry) => !entry.iface.primary)) {
  test(`nmcli --offline reads the ${name} keyfile back unchanged`, { skip }, () => {
    for (const file of renderNetworkManager(iface)) {
      const output = execFileSync(NMCLI, ['--offline', 'connection', 'modify', 'connection.autoconnect', 'yes'], {
        input: file.content,
        stdio: 'pipe',
      }).toString();
      assert.deepEqual(parse(output), parse(file.content), output);
    }
  });
}
