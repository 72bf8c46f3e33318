// `eni-init metadata`: the capture printed for a complete, a partial and a failed read, with the exit code of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../../src/cli/spec.ts';
import type { Options } from '../../../src/cli/spec.ts';
import { BadMetadataError, EXIT } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { metadataCommand } from '../../../src/metadata/command.ts';
import { captureProblems } from '../../../src/metadata/capture-format.ts';
import type { MetadataProvider } from '../../../src/metadata/provider.ts';
import { metadata } from '../fixtures.ts';
import { startFakeImds } from './fake-imds.ts';

const MAC_PATH = '/latest/meta-data/mac';

/** A provider that reads one path through the client it is given, then answers `outcome`. */
function provider(outcome: (body: string | null) => ReturnType<MetadataProvider['read']>): MetadataProvider {
  return { name: 'fake', instanceKind: 'a test instance', detect: async () => ({ verdict: 'yes', evidence: 'test' }), read: async (http) => outcome(await http.get(MAC_PATH)) };
}

async function run(outcome: Parameters<typeof provider>[0]) {
  const imds = await startFakeImds({ tree: { [MAC_PATH]: '00:16:3e:00:00:01' } });
  try {
    const options: Options = { ...DEFAULTS, command: 'metadata', metadataUrl: imds.url, deadlineSeconds: 5 };
    const { output, exitCode } = await metadataCommand(options, silentLogger, '9.9.9', provider(outcome));
    assert.ok(output.endsWith('\n'));
    const capture = JSON.parse(output) as { source: string; url: string; responses: Record<string, string>; result: Record<string, unknown> };
    assert.deepEqual(captureProblems(capture), []);
    assert.equal(capture.url, imds.url);
    return { capture, exitCode };
  } finally {
    await imds.close();
  }
}

test('a complete read prints every path read with its body and the result, exit 0', async () => {
  const { capture, exitCode } = await run(async () => metadata());
  assert.equal(exitCode, EXIT.OK);
  assert.deepEqual(Object.values(capture.responses), ['00:16:3e:00:00:01']);
  assert.match(capture.source, /^eni-init 9\.9\.9 metadata on i-test at \d{4}-/);
  assert.equal(capture.result['complete'], true);
});

test('an incomplete read is exit 3 (partial)', async () => {
  const { capture, exitCode } = await run(async () => metadata({ complete: false }));
  assert.equal(exitCode, EXIT.PARTIAL);
  assert.equal(capture.result['complete'], false);
});

test('a failed read still prints what was read, with the error, and the exit code of the error', async () => {
  const { capture, exitCode } = await run(async () => {
    throw new BadMetadataError('the MAC listing is not a list');
  });
  assert.equal(exitCode, EXIT.BAD_METADATA);
  assert.deepEqual(capture.result, { error: 'the MAC listing is not a list' });
  assert.match(capture.source, /^eni-init 9\.9\.9 metadata at /);
  assert.deepEqual(Object.values(capture.responses), ['00:16:3e:00:00:01']);
});
