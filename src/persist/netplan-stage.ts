// Shell: `netplan generate` in a scratch root, then only the generated files that differ are installed under /run.
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { CommandRunner } from './command.ts';
import { describeFailure } from './command.ts';

/*
 * Why not a plain `netplan generate`: it deletes and rewrites every generated file, the primary's
 * /run/systemd/network/10-netplan-eth0.network included, even when its content is the same. systemd-networkd
 * (252) compares a .network file's stat (inode, mtime) on `networkctl reload`: a rewritten file is an updated
 * one, so the reload re-configures eth0, its DHCP client logs "DHCP lease lost" and the addresses it did not
 * configure (eni-init's) are dropped. Generating into a scratch root (`netplan generate --root-dir`, netplan
 * 0.106) and installing only the files whose bytes differ leaves every other interface's file untouched, so
 * the reload re-configures only the interfaces whose config really changed. A generate that fails touches
 * nothing live at all.
 */

/** Where netplan reads YAML (netplan-generate(8): /lib, /etc, /run; later directories win per file name). */
const INPUT_DIRS = ['lib/netplan', 'etc/netplan', 'run/netplan'] as const;
/** What netplan generate writes, and the names of its files there (the ones a new generation replaces). */
const OUTPUT_DIRS: readonly { dir: string; generated: RegExp }[] = [
  { dir: 'run/systemd/network', generated: /^10-netplan-.+\.(network|netdev|link)$/ },
  { dir: 'run/NetworkManager/system-connections', generated: /^netplan-.+\.nmconnection$/ },
  { dir: 'run/udev/rules.d', generated: /^(9\d-netplan(-.+)?\.rules)$/ },
  { dir: 'run/systemd/system', generated: /^netplan-.+\.service$/ },
];

export interface NetplanStaged {
  ok: boolean;
  /** Paths (absolute, under the live root) installed or removed, by the manager that reads them. */
  networkd: string[];
  networkManager: string[];
  other: string[];
  /** Why it failed (netplan's own last line), when !ok. */
  message?: string;
}

/** Generates in a scratch root and installs the difference under `root` ("/" on a live host). Bounded by timeoutMs. */
export type NetplanStager = (timeoutMs: number) => Promise<NetplanStaged>;

export function stagedNetplan(run: CommandRunner, root = '/', scratchParent: string = tmpdir()): NetplanStager {
  return async (timeoutMs) => {
    const scratch = await mkdtemp(join(scratchParent, 'eni-init-netplan-'));
    try {
      for (const dir of INPUT_DIRS) await copyYaml(join(root, dir), join(scratch, dir));
      const argv = ['netplan', 'generate', '--root-dir', scratch];
      const result = await run(argv, timeoutMs);
      if (!result.ok) return { ok: false, networkd: [], networkManager: [], other: [], message: describeFailure(['netplan', 'generate'], result) };
      return await install(scratch, root);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function copyYaml(from: string, to: string): Promise<void> {
  for (const name of await listDir(from)) {
    if (!name.endsWith('.yaml')) continue;
    const stats = await lstat(join(from, name)).catch(() => undefined);
    if (stats === undefined || !stats.isFile()) continue;
    await mkdir(to, { recursive: true });
    await writeFile(join(to, name), await readFile(join(from, name)), { mode: stats.mode & 0o777 });
  }
}

type Entry = { kind: 'file'; data: Buffer; mode: number } | { kind: 'link'; target: string };

async function entryAt(path: string): Promise<Entry | undefined> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) return undefined;
  if (stats.isSymbolicLink()) return { kind: 'link', target: await readlink(path) };
  if (stats.isFile()) return { kind: 'file', data: await readFile(path), mode: stats.mode & 0o777 };
  return undefined;
}

/** Every file and symlink below dir, as paths relative to base. */
async function walk(base: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await listDir(dir)) {
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isDirectory()) found.push(...(await walk(base, path)));
    else if (stats !== undefined) found.push(relative(base, path));
  }
  return found;
}

function same(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'link' || b.kind === 'link') return a.kind === b.kind && a.kind === 'link' && b.kind === 'link' && a.target === b.target;
  return a.mode === b.mode && a.data.equals(b.data);
}

/** Replaces path atomically (a temporary name in the same directory, then rename). */
async function put(path: string, entry: Entry): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.eni-init-${process.pid}-${Date.now()}.tmp`);
  await rm(temporary, { force: true });
  if (entry.kind === 'link') await symlink(entry.target, temporary);
  else await writeFile(temporary, entry.data, { mode: entry.mode });
  await rename(temporary, path);
}

function sortOut(staged: NetplanStaged, path: string): void {
  if (path.startsWith('/run/systemd/network/')) staged.networkd.push(path);
  else if (path.startsWith('/run/NetworkManager/')) staged.networkManager.push(path);
  else staged.other.push(path);
}

async function install(scratch: string, root: string): Promise<NetplanStaged> {
  const staged: NetplanStaged = { ok: true, networkd: [], networkManager: [], other: [] };
  const generated = new Set<string>();
  for (const rel of await walk(scratch, join(scratch, 'run'))) {
    generated.add(rel);
    const fresh = await entryAt(join(scratch, rel));
    if (fresh === undefined || same(fresh, await entryAt(join(root, rel)))) continue;
    await put(join(root, rel), fresh);
    sortOut(staged, `/${rel}`);
  }
  // What netplan generated before and would not generate now (its definition is gone): removed, as netplan would.
  for (const { dir, generated: pattern } of OUTPUT_DIRS) {
    for (const rel of await walk(root, join(root, dir))) {
      if (generated.has(rel)) continue;
      const name = rel.split('/').pop() ?? '';
      const wantsLink = dir === 'run/systemd/system' && /\.wants\/netplan-.+\.service$/.test(rel);
      if (!pattern.test(name) && !wantsLink) continue;
      if (rel.slice(dir.length + 1).includes('/') && !wantsLink) continue;
      await rm(join(root, rel), { force: true });
      sortOut(staged, `/${rel}`);
    }
  }
  return staged;
}
