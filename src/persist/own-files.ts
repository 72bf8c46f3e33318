// Where eni-init's persistent files live, which interface each belongs to, and (shell) the listing of those present.
import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { WRITTEN_BY } from './types.ts';

export const NM_DIR = '/etc/NetworkManager/system-connections';
export const NETPLAN_DIR = '/etc/netplan';
export const NETWORKD_DIR = '/etc/systemd/network';
export const NETWORKD_CONF_DIR = '/etc/systemd/networkd.conf.d';
export const IFCFG_DIR = '/etc/sysconfig/network-scripts';

export interface OwnFile {
  path: string;
  content: string;
}

/** True when the file's first line is eni-init's marker. */
export function writtenByUs(content: string): boolean {
  return content.split('\n', 1)[0] === WRITTEN_BY;
}

/** The `uuid=` of a NetworkManager keyfile. */
export function keyfileUuid(content: string): string | undefined {
  return /^uuid=([0-9a-f-]{36})$/m.exec(content)?.[1];
}

type Lister = (dir: string) => Promise<string[]>;

/** Candidate paths: every file of the backends' directories that could be ours (the content decides). */
async function candidates(list: Lister): Promise<string[]> {
  const paths: string[] = [];
  const add = async (dir: string, pattern: RegExp) => {
    for (const name of await list(dir)) if (pattern.test(name)) paths.push(posix.join(dir, name));
  };
  await add(NM_DIR, /^eni-init-.*\.nmconnection$/);
  await add(NETPLAN_DIR, /^90-eni-init-.*\.yaml$/);
  await add(NETWORKD_DIR, /^05-eni-init-.*\.network$/);
  await add(NETWORKD_CONF_DIR, /^50-eni-init\.conf$/);
  await add(IFCFG_DIR, /^(ifcfg|route6?|rule6?)-/);
  for (const name of await list(NETWORKD_DIR)) if (name.endsWith('.network.d')) await add(posix.join(NETWORKD_DIR, name), /^50-eni-init\.conf$/);
  return paths;
}

/** eni-init's files present under `at(...)` (the --root mapping), with their content. */
export async function listOwnFiles(at: (path: string) => string): Promise<OwnFile[]> {
  const list: Lister = async (dir) => {
    try {
      return (await readdir(at(dir))).sort();
    } catch {
      return [];
    }
  };
  const found: OwnFile[] = [];
  for (const path of await candidates(list)) {
    try {
      const content = await readFile(at(path), 'utf8');
      if (writtenByUs(content)) found.push({ path, content });
    } catch {
      // Vanished or unreadable: not ours to report.
    }
  }
  return found;
}

/** The interface a file of ours configures, from its name; undefined for drop-ins and the global networkd file. */
export function fileInterface(path: string): string | undefined {
  const name = posix.basename(path);
  const match = /^(?:eni-init-(.+)\.nmconnection|90-eni-init-(.+)\.yaml|05-eni-init-(.+)\.network|(?:ifcfg|route6?|rule6?)-(.+))$/.exec(name);
  return match?.slice(1).find((part) => part !== undefined);
}
