// Shared helpers for integration tests: run a test body against a fresh simulated instance, always destroyed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { createSimInstance } from '../sim/instance.ts';
import type { SimInstance, SimSpec } from '../sim/instance.ts';

export const BINARY = fileURLToPath(new URL('../../dist/eni-init', import.meta.url));

/** Why integration tests cannot run here, or null when they can. */
export function cannotRun(): string | null {
  if (process.getuid?.() !== 0) return 'integration tests need root (network namespaces)';
  if (!existsSync(BINARY)) return 'dist/eni-init is missing: run `npm run build` first';
  return null;
}

export async function withInstance(t: TestContext, spec: SimSpec, body: (sim: SimInstance) => Promise<void>): Promise<void> {
  const reason = cannotRun();
  if (reason) {
    t.skip(reason);
    return;
  }
  const sim = await createSimInstance(spec);
  try {
    await body(sim);
  } finally {
    await sim.destroy();
  }
}

export interface JsonRule {
  priority: number;
  src?: string;
  srclen?: number;
  table?: string;
  protocol?: string;
}

/** `ip -j -4 rule` inside the instance. */
export async function rules(sim: SimInstance, family: 4 | 6 = 4): Promise<JsonRule[]> {
  const result = await sim.exec(['ip', '-j', `-${family}`, 'rule', 'show']);
  return JSON.parse(result.stdout) as JsonRule[];
}

/** Our rules (protocol 203) as `from -> table` strings, sorted. */
export async function ownRules(sim: SimInstance): Promise<string[]> {
  return (await rules(sim))
    .filter((rule) => rule.protocol === '203' || rule.protocol === 'eni-init')
    .map((rule) => `${rule.priority} ${rule.src ?? 'all'} ${rule.table}`)
    .sort();
}

export async function addressesOf(sim: SimInstance, ifname: string): Promise<string[]> {
  const result = await sim.exec(['ip', '-j', 'address', 'show', 'dev', ifname]);
  const [link] = JSON.parse(result.stdout) as { addr_info?: { local: string; prefixlen: number }[] }[];
  return (link?.addr_info ?? []).map((entry) => `${entry.local}/${entry.prefixlen}`).sort();
}

export async function routesOf(sim: SimInstance, table: number): Promise<string[]> {
  const result = await sim.exec(['ip', '-4', 'route', 'show', 'table', String(table)]);
  return result.stdout.trim().split('\n').filter((line) => line !== '').sort();
}

export interface ReportShape {
  schemaVersion: number;
  outcome: string;
  exitCode: number;
  changes: { command: string; failed?: string }[];
  deferred: { command: string }[];
  problems: { code: string; message: string; mac?: string; field?: string; value?: string }[];
  enis: { mac: string; interface?: string; status: string; table?: number }[];
  metadata?: { tokenMode: string; requests: number; complete: boolean };
}
