// CLI of the fake Alibaba metadata service:
// `fake-imds (--config FILE | --capture FILE | both) --listen HOST:PORT [--ready-file PATH] [--verbose]`.
// With --capture, the paths and bodies of a capture (`eni-init metadata` output or a fixture) are served verbatim;
// the config file, when given too, still sets token mode, latency and faults.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig } from './imds-config.ts';
import type { ImdsCapture, ImdsConfig } from './imds-config.ts';
import { captureProblems } from '../../src/metadata/capture-format.ts';
import { createImdsServer } from './imds-server.ts';

const USAGE = 'usage: fake-imds (--config FILE | --capture FILE) --listen HOST:PORT [--ready-file PATH] [--verbose] [--parent-pid PID]';

function fail(message: string): never {
  process.stderr.write(`fake-imds: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) fail(`--listen: expected HOST:PORT, got ${JSON.stringify(text)}`);
  return { host: match[1] ?? match[2] ?? '', port };
}

/** A capture file as the service's metadata (its token mode etc. from `base`). */
function withCapture(base: ImdsConfig, path: string): ImdsConfig {
  const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const problems = captureProblems(doc);
  if (problems.length > 0) throw new Error(`invalid capture: ${problems.join('; ')}`);
  return { ...base, capture: doc as ImdsCapture };
}

const CAPTURE_ONLY: ImdsConfig = { instanceId: 'i-capture', regionId: '', zoneId: '', primaryMac: '', enis: [], token: 'optional', all: false, latencyMs: 0, faults: [] };

/** The config, re-read whenever the file's mtime, size or inode changes; a bad rewrite keeps the last good one. */
function configSource(path: string): () => ImdsConfig {
  let stamp = '';
  let current: ImdsConfig | undefined;
  return () => {
    const stat = statSync(path, { bigint: true });
    const next = `${stat.mtimeNs}:${stat.size}:${stat.ino}`;
    if (next !== stamp || current === undefined) {
      try {
        current = parseConfig(readFileSync(path, 'utf8'));
      } catch (error) {
        if (current === undefined) throw error;
        process.stderr.write(`fake-imds: keeping the previous config: ${String(error)}\n`);
      }
      stamp = next;
    }
    return current;
  };
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string' },
        capture: { type: 'string' },
        listen: { type: 'string' },
        'ready-file': { type: 'string' },
        verbose: { type: 'boolean' },
        'parent-pid': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(String(error instanceof Error ? error.message : error));
  }
  if ((values.config === undefined && values.capture === undefined) || values.listen === undefined) fail('--config or --capture, and --listen, are required');
  const { host, port } = parseListen(values.listen);
  const base = values.config === undefined ? () => CAPTURE_ONLY : configSource(values.config);
  let capture: ImdsConfig['capture'];
  try {
    if (values.capture !== undefined) capture = withCapture(base(), values.capture).capture;
    base();
  } catch (error) {
    fail(`${values.capture ?? values.config}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const config = capture === undefined ? base : () => ({ ...base(), capture });
  const verbose = values.verbose === true;
  const server = createImdsServer({
    config,
    controlAddresses: () => [host],
    ...(verbose ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  server.on('error', (error) => fail(`listen ${values.listen}: ${error.message}`));
  server.listen({ host, port }, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address !== null ? address : { address: host, port };
    const readyFile = values['ready-file'];
    if (readyFile !== undefined) {
      writeFileSync(`${readyFile}.tmp`, `${actual.address.includes(':') ? `[${actual.address}]` : actual.address}:${actual.port}\n`);
      renameSync(`${readyFile}.tmp`, readyFile);
    }
    if (verbose) process.stderr.write(`fake-imds: listening on ${actual.address}:${actual.port}\n`);
  });
  const parent = Number(values['parent-pid']);
  if (Number.isInteger(parent) && parent > 1) {
    // Exit with the process that started us, so a killed test run leaves no service behind.
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        process.exit(0);
      }
    }, 1000).unref();
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
}

main();
