// Never leak a simulated instance: synchronous teardown on exit and signals, and a sweep of instances whose owner died.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one instance owns: deleted by name or killed by PID, nothing else. */
export interface Owned {
  prefix: string;
  namespaces: string[];
  dirs: string[];
  pids: () => number[];
}

const MARKERS = '/run/eni-sim';
const live = new Map<string, Owned>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const EXIT_CODES: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

function deleteNamespace(name: string): void {
  if (!existsSync(`/run/netns/${name}`)) return;
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // Best effort: the async destroy reports failures; here we are already exiting.
  }
}

/** Synchronous teardown (exit handlers cannot wait). */
export function teardownSync(owned: Owned): void {
  for (const pid of owned.pids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const name of owned.namespaces) deleteNamespace(name);
  for (const dir of owned.dirs) rmSync(dir, { recursive: true, force: true });
  rmSync(join(MARKERS, `${owned.prefix}.json`), { force: true });
  live.delete(owned.prefix);
}

function onExit(): void {
  for (const owned of [...live.values()]) teardownSync(owned);
}

function onSignal(signal: (typeof SIGNALS)[number]): void {
  process.stderr.write(`\nsim: ${signal}: removing ${live.size} simulated instance(s)\n`);
  onExit();
  process.exit(EXIT_CODES[signal]);
}

const handlers = new Map(SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const));

/** Starts tracking an instance; the marker lets a later run sweep it if this process dies by SIGKILL. */
export function track(owned: Owned): void {
  if (live.size === 0) {
    process.on('exit', onExit);
    for (const [signal, handler] of handlers) process.on(signal, handler);
  }
  live.set(owned.prefix, owned);
  mkdirSync(MARKERS, { recursive: true });
  const marker = { ownerPid: process.pid, namespaces: owned.namespaces, dirs: owned.dirs };
  writeFileSync(join(MARKERS, `${owned.prefix}.json`), `${JSON.stringify(marker)}\n`);
}

/** Stops tracking (after a successful destroy). */
export function untrack(prefix: string): void {
  rmSync(join(MARKERS, `${prefix}.json`), { force: true });
  live.delete(prefix);
  if (live.size === 0) {
    process.off('exit', onExit);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces and dirs of instances whose owning process is gone; their own processes exit with their parent. */
export function sweepOrphans(): string[] {
  if (!existsSync(MARKERS)) return [];
  const swept: string[] = [];
  for (const file of readdirSync(MARKERS)) {
    if (!file.endsWith('.json')) continue;
    const path = join(MARKERS, file);
    let marker: { ownerPid?: unknown; namespaces?: unknown; dirs?: unknown };
    try {
      marker = JSON.parse(readFileSync(path, 'utf8')) as typeof marker;
    } catch {
      continue;
    }
    if (typeof marker.ownerPid !== 'number' || alive(marker.ownerPid)) continue;
    const names = Array.isArray(marker.namespaces) ? marker.namespaces.filter((name): name is string => typeof name === 'string' && /^[a-z0-9]{1,6}-(?:inst|vpc|cli)$/.test(name)) : [];
    const dirs = Array.isArray(marker.dirs) ? marker.dirs.filter((dir): dir is string => typeof dir === 'string' && /\/eni-sim-[^/]+$/.test(dir)) : [];
    for (const name of names) deleteNamespace(name);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    rmSync(path, { force: true });
    swept.push(file.replace(/\.json$/, ''));
  }
  return swept;
}
