// The cached guest images: built once per content key (hash of the build script) in /var/cache/eni-init-vm/.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const CACHE = '/var/cache/eni-init-vm';
const SCRIPT = fileURLToPath(new URL('./image/build-image.sh', import.meta.url));
const BUILD_TIMEOUT_MS = 12 * 60_000;

export type ImageName = 'nm' | 'networkd' | 'netplan';

export interface Images {
  dir: string;
  kernel: string;
  initrd: string;
  disk(name: ImageName): string;
  /** Seconds the build took, or 0 when it came from the cache. */
  builtInS: number;
}

/** The key: the build script (it holds the package lists and the whole guest configuration). */
export function imageKey(): string {
  return createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 16);
}

/** The host's Debian mirrors (one-line and deb822 sources), so the build uses what this machine's apt uses. */
export function hostMirrors(): { main: string; security: string } {
  const texts: string[] = [];
  for (const file of ['/etc/apt/sources.list', ...listDir('/etc/apt/sources.list.d').map((name) => join('/etc/apt/sources.list.d', name))]) {
    if (!/(\.list|\.sources|sources\.list)$/.test(file) || !existsSync(file)) continue;
    texts.push(readFileSync(file, 'utf8'));
  }
  const uris = texts.flatMap((text) => [
    ...[...text.matchAll(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/gm)].map((match) => ({ uri: match[1] ?? '', suites: match[2] ?? '' })),
    ...text.split(/\n\s*\n/).flatMap((stanza) => {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
      const enabled = !/^Enabled:\s*no/im.test(stanza) && /^Types:.*\bdeb\b/m.test(stanza);
      return uri !== undefined && enabled ? [{ uri, suites }] : [];
    }),
  ]);
  const main = uris.find((entry) => /\bbookworm(\s|$)/.test(entry.suites) && !/security/.test(entry.uri))?.uri ?? 'http://deb.debian.org/debian';
  const security = uris.find((entry) => /bookworm-security/.test(entry.suites))?.uri ?? 'http://deb.debian.org/debian-security';
  return { main: main.replace(/\/$/, ''), security: security.replace(/\/$/, '') };
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** apt's HTTP proxy setting on this host (apt.conf or environment), reused by debootstrap and the chroot's apt. */
function hostProxy(): string | undefined {
  const fromEnv = process.env['http_proxy'] ?? process.env['HTTP_PROXY'];
  if (fromEnv) return fromEnv;
  const dumped = spawnSync('apt-config', ['shell', 'P', 'Acquire::http::Proxy'], { encoding: 'utf8' });
  const proxy = /^P='(.*)'$/m.exec(dumped.stdout ?? '')?.[1];
  return proxy && proxy !== 'DIRECT' ? proxy : undefined;
}

function imagesIn(dir: string, builtInS: number): Images {
  return { dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), disk: (name) => join(dir, `${name}.raw`), builtInS };
}

function complete(dir: string): boolean {
  return ['vmlinuz', 'initrd.img', 'nm.raw', 'networkd.raw', 'netplan.raw', 'ok'].every((file) => existsSync(join(dir, file)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PID in a lock file; undefined while its owner is still writing it (or the file just went away). */
function lockOwner(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (text !== '') return Number(text);
    // Empty: created, PID not written yet; a crash right between the two leaves it empty for good.
    return Date.now() - statSync(path).mtimeMs > 10_000 ? 0 : undefined;
  } catch {
    return undefined;
  }
}

/** Takes a lock (a file with our PID; a lock of a dead process is taken over), across test processes. Bounded. */
export async function lock(path: string, timeoutMs: number): Promise<() => void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch {
      const owner = lockOwner(path);
      if (owner !== undefined && (!Number.isInteger(owner) || owner <= 0 || !alive(owner))) rmSync(path, { force: true });
      else if (Date.now() > until) throw new Error(`lock ${path} held by PID ${owner ?? '?'} for ${timeoutMs} ms`);
      else await sleep(owner === undefined ? 200 : 2000);
    }
  }
}

/** The images for the current key: from the cache, else built (old keys are deleted after a successful build). */
export async function ensureImages(log: (line: string) => void): Promise<Images> {
  const key = imageKey();
  const dir = join(CACHE, key);
  if (complete(dir)) return imagesIn(dir, 0);
  mkdirSync(CACHE, { recursive: true });
  const unlock = await lock(join(CACHE, 'build.lock'), BUILD_TIMEOUT_MS);
  try {
    if (complete(dir)) return imagesIn(dir, 0);
    const staging = join(CACHE, `${key}.staging`);
    rmSync(staging, { recursive: true, force: true });
    const mirrors = hostMirrors();
    const proxy = hostProxy();
    log(`building guest images (key ${key}) from ${mirrors.main}${proxy ? ` via ${proxy}` : ''}: about 2-3 minutes`);
    const started = Date.now();
    const env = { ...process.env, ...(proxy ? { http_proxy: proxy } : {}) };
    const code = await new Promise<number>((resolve) => {
      const child = spawn('bash', [SCRIPT, staging, mirrors.main, mirrors.security], { stdio: ['ignore', 'inherit', 'inherit'], env });
      const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
      child.on('error', () => resolve(127));
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve(status ?? 128);
      });
    });
    if (code !== 0) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`guest image build failed (exit ${code}); see the output above`);
    }
    writeFileSync(join(staging, 'ok'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    for (const entry of listDir(CACHE)) {
      const path = join(CACHE, entry);
      if (entry !== key && /^[0-9a-f]{16}$/.test(entry) && statSync(path).isDirectory()) rmSync(path, { recursive: true, force: true });
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`guest images built in ${seconds} s`);
    return imagesIn(dir, seconds);
  } finally {
    unlock();
  }
}
