// Golden tests of a renderer (each renderer's test calls goldenTests): fixtures.ts in, golden/<backend>-<case>.<ext> out. UPDATE_GOLDEN=1 rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from '../../../../src/persist/backends/index.ts';
import type { Backend } from '../../../../src/model.ts';
import type { RenderedFile } from '../../../../src/persist/types.ts';
import { cases } from './fixtures.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const EXT: Record<Backend, string> = { networkmanager: 'nmconnection', netplan: 'yaml', networkd: 'network', ifcfg: 'ifcfg' };
const update = process.env['UPDATE_GOLDEN'] === '1';

/** All files of one render, each after a `#### <path> (mode 0NNN)` line (a comment in every backend's syntax). */
function bundle(files: readonly RenderedFile[]): string {
  if (files.length === 0) return '#### no files\n';
  return files.map((file) => `#### ${file.path} (mode 0${file.mode.toString(8)})\n${file.content}`).join('');
}

/** One test per case of fixtures.ts: the backend's render of it equals its golden file. */
export function goldenTests(backend: Backend): void {
  for (const { name, iface, ctx } of cases) {
    test(`${backend} golden: ${name}`, () => {
      const context = backend === 'networkmanager' ? {} : ctx[backend];
      const actual = bundle(render(backend, iface, context));
      const path = join(GOLDEN, `${backend}-${name}.${EXT[backend]}`);
      if (update) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(path, actual);
        return;
      }
      assert.ok(existsSync(path), `missing golden file ${path}: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(actual, readFileSync(path, 'utf8'));
    });
  }
}
