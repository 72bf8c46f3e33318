// The cloud-init drop-in step: written when absent or ours, someone else's file kept, failures reported, removed only when ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previewCloudInit, removeCloudInit, writeCloudInit } from '../../../src/apply/cloud-init.ts';
import type { CloudInitDeps } from '../../../src/apply/cloud-init.ts';
import { CLOUD_INIT_CONTENT, CLOUD_INIT_FILE } from '../../../src/files/cloudinit.ts';
import { ReadError } from '../../../src/errors.ts';

function files(initial?: string, fail: { read?: boolean; write?: boolean } = {}) {
  let content = initial;
  const d: CloudInitDeps = {
    files: {
      read: async () => {
        if (fail.read) throw new ReadError("EACCES: permission denied, open '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg'");
        return content ?? null;
      },
      writeAtomic: async (_path, text) => {
        if (fail.write) throw new Error('EROFS: read-only file system');
        const action = content === undefined ? 'created' : content === text ? 'unchanged' : 'replaced';
        content = text;
        return action;
      },
      removeIfContent: async (_path, text) => {
        if (content === undefined) return 'absent';
        if (content !== text) return 'different';
        content = undefined;
        return 'removed';
      },
    },
  };
  return { d, content: () => content };
}

test('apply writes the file when absent, leaves it when it is ours already', async () => {
  const world = files();
  const created = await writeCloudInit(world.d);
  assert.equal(created.entry.action, 'created');
  assert.match(created.entry.reason ?? '', /^missing: without it cloud-init may rewrite/);
  assert.equal(world.content(), CLOUD_INIT_CONTENT);
  assert.deepEqual(await writeCloudInit(world.d), { entry: { path: CLOUD_INIT_FILE, action: 'unchanged' } });
});

test("someone else's file is kept: equivalent silently, other content as a problem", async () => {
  const equivalent = await writeCloudInit(files('network:\n  config: disabled\n').d);
  assert.deepEqual([equivalent.entry.action, equivalent.problem], ['kept', undefined]);
  const foreign = files('datasource_list: [AliYun]\n');
  const result = await writeCloudInit(foreign.d);
  assert.equal(result.entry.action, 'kept');
  assert.equal(result.problem?.code, 'cloud-init-file');
  assert.equal(foreign.content(), 'datasource_list: [AliYun]\n');
});

test('apply: a read or write failure is a problem and a skipped file, never an abort', async () => {
  for (const fail of [{ read: true }, { write: true }]) {
    const result = await writeCloudInit(files(undefined, fail).d);
    assert.equal(result.entry.action, 'skipped');
    assert.match(result.problem?.message ?? '', fail.read ? /^cannot read .*EACCES/ : /^cannot write .*EROFS/);
  }
});

test('plan and status say what apply would do; an unreadable file ends them as a read failure', async () => {
  const created = await previewCloudInit(files().d);
  assert.equal(created.entry.action, 'would-create');
  assert.match(created.entry.reason ?? '', /cloud-init may rewrite the network config/);
  assert.deepEqual(created.preview, { path: CLOUD_INIT_FILE, before: null, after: CLOUD_INIT_CONTENT });
  assert.deepEqual(await previewCloudInit(files(CLOUD_INIT_CONTENT).d), { entry: { path: CLOUD_INIT_FILE, action: 'unchanged' } });
  assert.equal((await previewCloudInit(files('x: 1\n').d)).entry.action, 'kept');
  await assert.rejects(previewCloudInit(files(undefined, { read: true }).d), ReadError);
});

test('remove deletes only our own content', async () => {
  const ours = files(CLOUD_INIT_CONTENT);
  assert.deepEqual(await removeCloudInit(ours.d), { path: CLOUD_INIT_FILE, action: 'removed' });
  assert.equal(ours.content(), undefined);
  assert.deepEqual(await removeCloudInit(ours.d), { path: CLOUD_INIT_FILE, action: 'absent' });
  const theirs = files('network: {config: disabled}\n');
  assert.deepEqual(await removeCloudInit(theirs.d), { path: CLOUD_INIT_FILE, action: 'kept', note: 'not written by eni-init' });
});
