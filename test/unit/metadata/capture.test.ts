// Tests for the capture of `eni-init metadata`: exact bodies, statuses, secrets left out, and replay by the fake service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/log.ts';
import { readAliyunMetadata } from '../../../src/metadata/aliyun/read.ts';
import { buildCapture, recordingHttp, redactAll } from '../../../src/metadata/capture.ts';
import { captureProblems } from '../../../src/metadata/capture-format.ts';
import { createMetadataHttp } from '../../../src/metadata/http.ts';
import { startFakeImds } from './fake-imds.ts';

const META = '/latest/meta-data';
const MACS = `${META}/network/interfaces/macs/`;
const MAC0 = '00:16:3e:0f:00:01';

const TREE: Record<string, string> = {
  [`${META}/all`]: JSON.stringify({
    mac: MAC0,
    'public-keys': { '0': { 'openssh-key': 'ssh-ed25519 AAAA' } },
    ram: { 'security-credentials': { role: { AccessKeySecret: 'x' } } },
    network: { interfaces: { macs: { [MAC0]: { gateway: '10.0.0.253', netmask: '255.255.255.0' } } } },
  }),
  [MACS]: `${MAC0}/\r\n`,
  [`${MACS}${MAC0}/network-interface-id`]: 'eni-bp1aaa\n',
  [`${MACS}${MAC0}/primary-ip-address`]: '10.0.0.20',
  [`${MACS}${MAC0}/private-ipv4s`]: '["10.0.0.20", "10.0.0.21"]\r\n',
};

test('the capture holds every path read with its exact body, the 404s, the interpretation, and no secret', async () => {
  const imds = await startFakeImds({ tree: TREE });
  const http = createMetadataHttp({ baseUrl: imds.url, deadline: Date.now() + 2000, tokenMode: 'auto', log: silentLogger });
  try {
    const recorder = recordingHttp(http);
    const result = await readAliyunMetadata(recorder.http, silentLogger);
    const capture = buildCapture(recorder, 'unit test', imds.url, result);
    assert.deepEqual(captureProblems(capture), []);
    assert.equal(capture.responses[`${MACS}${MAC0}/private-ipv4s`], '["10.0.0.20", "10.0.0.21"]\r\n');
    assert.equal(capture.responses[MACS], `${MAC0}/\r\n`);
    assert.equal(capture.statuses[`${MACS}${MAC0}/ipv6s`], 404);
    assert.deepEqual(capture.redacted, ['public-keys', 'ram']);
    assert.doesNotMatch(capture.responses[`${META}/all`] ?? '', /ssh-ed25519|AccessKeySecret/);
    assert.ok(!JSON.stringify(capture).includes('tok-'), 'the token is never recorded');
    const interpreted = capture.result as { complete: boolean; enis: { mac: string; source: string; privateIpv4s: string[] }[] };
    assert.equal(interpreted.complete, true);
    assert.deepEqual(interpreted.enis.map((eni) => [eni.mac, eni.source, eni.privateIpv4s]), [[MAC0, 'both', ['10.0.0.20', '10.0.0.21']]]);

    // Replayed verbatim by the fake service: the same result.
    const replay = await startFakeImds({ tree: capture.responses });
    const again = createMetadataHttp({ baseUrl: replay.url, deadline: Date.now() + 2000, tokenMode: 'auto', log: silentLogger });
    try {
      const second = await readAliyunMetadata(again, silentLogger);
      assert.deepEqual(second.enis, result.enis);
      assert.equal(second.complete, true);
    } finally {
      await again.close();
      await replay.close();
    }
  } finally {
    await http.close();
    await imds.close();
  }
});

test('redaction keeps a document without sensitive members byte for byte', () => {
  const body = '{ "mac" : "x",\n "network": {} }';
  assert.deepEqual(redactAll(body), { body, redacted: [] });
  assert.deepEqual(redactAll('not json'), { body: 'not json', redacted: [] });
  assert.deepEqual(redactAll('{"user-data":"#!/bin/sh","a":{"password":"p","b":1}}'), { body: '{"a":{"b":1}}', redacted: ['user-data', 'a.password'] });
});
