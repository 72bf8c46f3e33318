// The preload of v8-flags.ts: a real run loads no Node built-in after the V8 flags are set (one loaded later is only
// compiled without the code cache, slower, never wrong), the list names only built-ins the bundle requires, and
// what the build leaves out (node:http2, with node:tls behind it) stays unloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetInstance } from '../sim/instance.ts';
import { withInstance } from './helpers.ts';
import { PRELOAD } from '../../src/v8-flags.ts';

const BUNDLE = fileURLToPath(new URL('../../dist/eni-init.cjs', import.meta.url));
const skip = existsSync(BUNDLE) ? false : 'dist/eni-init.cjs is missing: run `npm run build` first';

/** The bundle's built-ins, as `grep -o 'require("node:[^"]*")' dist/eni-init.cjs` finds them. */
function bundleBuiltins(): string[] {
  return [...new Set([...readFileSync(BUNDLE, 'utf8').matchAll(/require\("((?:node:)?[a-z0-9_/]+)"\)/g)].map((match) => (match[1] as string).replace(/^(?!node:)/, 'node:')))].sort();
}

test('the preload names only built-ins the bundle requires; node:http2 is left out of the bundle', { skip }, () => {
  const required = bundleBuiltins();
  assert.ok(required.includes('node:http') && required.includes('node:fs'), 'the bundle was read');
  assert.deepEqual(PRELOAD.filter((id) => !required.includes(id)), [], 'preloaded built-ins the bundle never requires');
  assert.ok(!required.includes('node:http2'), 'node:http2 is required by the bundle');
});

// The hook runs before the bundle (node -r): it notes how many modules were loaded when the first flag was set,
// and writes Node's module load list at exit.
const HOOK = `
const v8 = require('node:v8');
const fs = require('node:fs');
const set = v8.setFlagsFromString;
let at = -1;
v8.setFlagsFromString = (flags) => { if (at < 0) at = process.moduleLoadList.length; return set(flags); };
process.on('exit', () => fs.writeFileSync(process.env.ENI_TEST_MODULES, JSON.stringify({ at, list: process.moduleLoadList })));
`;

test('a converging run loads every built-in it uses before the V8 flags, and never node:tls or node:http2', { skip, timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eni-v8-flags-'));
  try {
    const hook = join(dir, 'hook.cjs');
    const out = join(dir, 'modules.json');
    writeFileSync(hook, HOOK);
    await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
      const ran = await sim.exec(['env', `ENI_TEST_MODULES=${out}`, process.execPath, '-r', hook, BUNDLE, 'apply', '--metadata-url', sim.imdsUrl, '--root', sim.rootDir], { timeoutMs: 60_000 });
      assert.equal(ran.code, 0, `the run exited with ${ran.code}: ${ran.stderr.slice(-2000)}`);
      const { at, list } = JSON.parse(readFileSync(out, 'utf8')) as { at: number; list: string[] };
      assert.ok(at > 0, 'the flags were set');
      const builtins = (entries: string[]) => entries.filter((entry) => entry.startsWith('NativeModule ') && !entry.startsWith('NativeModule internal/')).map((entry) => `node:${entry.slice('NativeModule '.length)}`);
      const required = bundleBuiltins();
      assert.deepEqual(builtins(list.slice(at)).filter((id) => required.includes(id)), [], 'built-ins of the bundle loaded after the flags were set');
      const loaded = builtins(list);
      assert.ok(loaded.includes('node:http') && loaded.includes('node:child_process'), 'the load list was read');
      for (const id of ['node:tls', 'node:http2', 'node:zlib']) assert.ok(!loaded.includes(id), `${id} was loaded`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
