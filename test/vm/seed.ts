// NoCloud seeds: user-data built from packaging/'s real snippets, on a cidata ISO that also carries the files they install.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOk } from '../sim/exec.ts';

const PACKAGING = fileURLToPath(new URL('../../packaging/', import.meta.url));
/** Where the guest mounts the seed disk (bootcmd, every boot). */
export const SEED_MOUNT = '/run/eni-vm-seed';
const MOUNT_CMD = `[sh, -c, 'mkdir -p ${SEED_MOUNT} && { mountpoint -q ${SEED_MOUNT} || mount -o ro LABEL=cidata ${SEED_MOUNT}; }']`;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Adds the seed mount as the first bootcmd entry (creating the key when the document has none). */
function withSeedMount(userData: string): string {
  if (/^bootcmd:\n/m.test(userData)) return userData.replace(/^bootcmd:\n/m, `bootcmd:\n  - ${MOUNT_CMD}\n`);
  return `${userData.trimEnd()}\n\nbootcmd:\n  - ${MOUNT_CMD}\n`;
}

function fill(template: string, values: Record<string, string>): string {
  let text = template;
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`@${key}@`, value);
  const left = /@[A-Z0-9_]+@/.exec(text);
  if (left) throw new Error(`user-data placeholder ${left[0]} not filled`);
  return text;
}

/** packaging/cloud-init/runcmd-package.yaml, the .deb fetched from the seed disk (curl file://). */
export function packageUserData(deb: string): string {
  const template = readFileSync(join(PACKAGING, 'cloud-init/runcmd-package.yaml'), 'utf8');
  const url = `file://${SEED_MOUNT}/${basename(deb)}`;
  return withSeedMount(fill(template, { ENI_INIT_DEB_URL: url, ENI_INIT_DEB_SHA256: sha256(deb), ENI_INIT_RPM_URL: url, ENI_INIT_RPM_SHA256: '0' }));
}

/**
 * The .rpm on the NetworkManager image: `rpm -i --nodeps` from runcmd (the Debian guest's rpm database knows none
 * of the host packages it requires; test/integration/packages.test.ts checks that they resolve). Its scriptlets
 * enable and start the unit as on a RHEL-family host.
 */
export function rpmUserData(rpm: string): string {
  const install = [
    'set -e',
    `echo '${sha256(rpm)}  ${SEED_MOUNT}/${basename(rpm)}' | sha256sum -c --quiet`,
    `rpm -i --nodeps ${SEED_MOUNT}/${basename(rpm)}`,
  ];
  return withSeedMount(`#cloud-config\nruncmd:\n  - |\n${install.map((line) => `    ${line}`).join('\n')}\n`);
}

/** packaging/cloud-init/runcmd-bare.yaml, the executable copied from the seed disk. */
export function bareUserData(exe: string): string {
  const template = readFileSync(join(PACKAGING, 'cloud-init/runcmd-bare.yaml'), 'utf8');
  return withSeedMount(fill(template, { ENI_INIT_SOURCE: `${SEED_MOUNT}/${basename(exe)}`, ENI_INIT_SHA256: sha256(exe) }));
}

/**
 * rc.local mode: /etc/rc.local with packaging/rc.local/rc.local.snippet, the executable installed at boot (as an
 * image would have it). rc-local.service only exists from the boot after /etc/rc.local appeared (its generator runs early).
 */
export function rcLocalUserData(exe: string): string {
  const snippet = readFileSync(join(PACKAGING, 'rc.local/rc.local.snippet'), 'utf8');
  const rcLocal = `#!/bin/sh -e\n${snippet.trimEnd()}\nexit 0\n`;
  const install = `[sh, -c, '[ -x /usr/local/bin/eni-init ] || install -D -m 0755 ${SEED_MOUNT}/${basename(exe)} /usr/local/bin/eni-init']`;
  const indented = rcLocal.split('\n').map((line) => (line === '' ? '' : `      ${line}`)).join('\n');
  return withSeedMount(`#cloud-config\nbootcmd:\n  - ${install}\nwrite_files:\n  - path: /etc/rc.local\n    permissions: "0755"\n    content: |\n${indented}\n`);
}

/** A cidata ISO (NoCloud) with user-data, meta-data and `files` at its root. */
export async function makeSeed(dir: string, userData: string, files: readonly string[], instanceId: string): Promise<string> {
  const userDataPath = join(dir, 'user-data');
  const metaDataPath = join(dir, 'meta-data');
  writeFileSync(userDataPath, userData);
  writeFileSync(metaDataPath, `instance-id: ${instanceId}\nlocal-hostname: eni-vm\n`);
  const iso = join(dir, 'seed.iso');
  const grafts = [`user-data=${userDataPath}`, `meta-data=${metaDataPath}`, ...files.map((file) => `${basename(file)}=${file}`)];
  await runOk(['genisoimage', '-quiet', '-output', iso, '-volid', 'cidata', '-joliet', '-rock', '-graft-points', ...grafts], { timeoutMs: 120_000 });
  return iso;
}
