// `eni-init metadata`: reads the metadata as apply would, and prints the capture (every path, exact body, interpretation).
import type { Options } from '../cli/spec.ts';
import type { Logger } from '../log.ts';
import { EXIT, exitCodeFor } from '../errors.ts';
import { buildCapture, recordingHttp } from './capture.ts';
import { createMetadataHttp } from './http.ts';
import type { MetadataProvider } from './provider.ts';

/** Reads nothing but what apply reads (no user-data, keys or credentials); exit 0 complete, 3 partial, 4/5 as apply. */
export async function metadataCommand(options: Options, log: Logger, version: string, provider: MetadataProvider): Promise<{ output: string; exitCode: number }> {
  const deadline = Date.now() + options.deadlineSeconds * 1000;
  const http = createMetadataHttp({ baseUrl: options.metadataUrl, deadline, tokenMode: options.metadataToken, log });
  const recorder = recordingHttp(http);
  const started = new Date().toISOString();
  try {
    const result = await provider.read(recorder.http, log);
    const source = `eni-init ${version} metadata${result.instance.instanceId ? ` on ${result.instance.instanceId}` : ''} at ${started}`;
    const capture = buildCapture(recorder, source, options.metadataUrl, result);
    return { output: `${JSON.stringify(capture, null, 2)}\n`, exitCode: result.complete ? EXIT.OK : EXIT.PARTIAL };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const capture = buildCapture(recorder, `eni-init ${version} metadata at ${started}`, options.metadataUrl, { error: message });
    return { output: `${JSON.stringify(capture, null, 2)}\n`, exitCode: exitCodeFor(error) };
  } finally {
    await http.close();
  }
}
