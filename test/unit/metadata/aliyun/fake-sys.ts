// Test helper: a fake sysfs root holding the DMI identity files of a machine.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fake sysfs root with the given DMI files (the kernel ends each with a newline). */
export function fakeSys(values: { sys_vendor?: string; product_name?: string }): string {
  const root = mkdtempSync(join(tmpdir(), 'eni-sys-'));
  const dir = join(root, 'sys/class/dmi/id');
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(values)) writeFileSync(join(dir, name), `${value}\n`);
  return root;
}
