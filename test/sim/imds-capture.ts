// Capture fixtures (test/fixtures/metadata/*.json): a capture served verbatim plus the instance it describes.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImdsCapture } from './imds-config.ts';
import type { SimEni, SimSpec } from './spec.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/metadata/', import.meta.url));

/** One ENI of the instance a fixture describes, and what eni-init must make of it. */
export interface FixtureEni extends Omit<SimEni, 'eniId'> {
  /** all: every address answers; ipv4: the IPv4 side only (IPv6 reported); none: left alone with an error. */
  configured: 'all' | 'ipv4' | 'none';
  /** The metadata field the per-ENI error names. */
  problem?: string;
}

export interface Fixture {
  name: string;
  source: string;
  capture: ImdsCapture;
  expect: { exitCode: number; enis: FixtureEni[] };
}

export function loadFixture(path: string): Fixture {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as ImdsCapture & { source: string; expect: Fixture['expect'] };
  if (typeof doc.source !== 'string' || doc.source.length < 20) throw new Error(`${path}: a fixture names its source`);
  const { expect, ...capture } = doc;
  return { name: basename(path, '.json'), source: doc.source, capture, expect };
}

export function listFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => loadFixture(join(FIXTURES_DIR, file)));
}

/** The simulated instance of a fixture, its metadata service serving the capture verbatim. */
export function fixtureSpec(fixture: Fixture, overrides: Partial<SimSpec> = {}): SimSpec {
  const enis: SimEni[] = fixture.expect.enis.map(({ configured: _configured, problem: _problem, ...eni }, index) => ({
    ...eni,
    eniId: `eni-fixture${index}`,
  }));
  return { enis, vpcCidr: '10.0.0.0/16', capture: fixture.capture, ...overrides };
}
