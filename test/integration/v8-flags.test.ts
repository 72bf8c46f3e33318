// The preload of v8-flags.ts: every Node built-in the bundle requires is loaded before the V8 flag is set (one left
// out is only slower to load, never wrong, so this is the check that keeps the list up to date with the bundle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUNDLE = fileURLToPath(new URL('../../dist/eni-init.cjs', import.meta.url));
const skip = existsSync(BUNDLE) ? false : 'dist/eni-init.cjs is missing: run `npm run build` first';

test('every built-in the bundle requires is preloaded, before the flag is set', { skip }, async () => {
  // The bundle's built-ins, as the comment in v8-flags.ts finds them; node:v8 is the module that sets the flag.
  const required = [...new Set([...readFileSync(BUNDLE, 'utf8').matchAll(/require\("((?:node:)?[a-z0-9_/]+)"\)/g)].map((match) => (match[1] as string).replace(/^(?!node:)/, 'node:')))]
    .filter((id) => id !== 'node:v8')
    .sort();
  assert.ok(required.includes('node:http') && required.includes('node:fs'), 'the bundle was read');
  const loaded: string[] = [];
  const original = process.getBuiltinModule;
  process.getBuiltinModule = ((id: string) => {
    loaded.push(id);
    return original.call(process, id);
  }) as typeof process.getBuiltinModule;
  try {
    await import('../../src/v8-flags.ts');
  } finally {
    process.getBuiltinModule = original;
  }
  assert.deepEqual(required.filter((id) => !loaded.includes(id)), [], 'built-ins the bundle requires that are not preloaded');
  assert.deepEqual(loaded.filter((id) => !required.includes(id)), [], 'preloaded built-ins the bundle never requires');
});
