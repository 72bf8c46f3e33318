// Capture of what the metadata service answered (`eni-init metadata`): every path read and its exact body, plus
// what eni-init made of it. Pure except for the recording wrapper; the fake metadata service replays the same format.
import type { MetadataResult } from '../model.ts';
import { CAPTURE_FORMAT } from './capture-format.ts';
import type { Capture } from './capture-format.ts';
import { MetadataRequestError } from './http.ts';
import type { MetadataHttp } from './http.ts';

/** Keys of the `all` document that may hold secrets or personal data; eni-init never needs them. */
const SENSITIVE_KEY = /user-data|vendor-data|credential|secret|token|password|passwd|(?:^|-)keys?(?:$|-)|^ram$|^sts$|encryption/i;

export interface Recorder {
  http: MetadataHttp;
  responses: Record<string, string>;
  statuses: Record<string, number>;
  errors: Record<string, string>;
}

/** Wraps a client so that every path read and its answer is kept (the token itself never: it is not a GET). */
export function recordingHttp(http: MetadataHttp): Recorder {
  const recorder: Recorder = { http: { ...http }, responses: {}, statuses: {}, errors: {} };
  recorder.http.get = async (path, options) => {
    try {
      const body = await http.get(path, options);
      if (body === null) recorder.statuses[path] = 404;
      else recorder.responses[path] = body;
      return body;
    } catch (error) {
      if (error instanceof MetadataRequestError && error.status !== undefined) recorder.statuses[path] = error.status;
      else recorder.errors[path] = error instanceof Error ? error.message : String(error);
      throw error;
    }
  };
  return recorder;
}

/** Drops members that may be secret from the `all` document (at any depth); verbatim when there are none. */
export function redactAll(body: string): { body: string; redacted: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { body, redacted: [] };
  }
  const redacted: string[] = [];
  const walk = (value: unknown, where: string): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${where}[${index}]`));
    if (typeof value !== 'object' || value === null) return value;
    const kept: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const path = where === '' ? key : `${where}.${key}`;
      if (SENSITIVE_KEY.test(key)) redacted.push(path);
      else kept[key] = walk(item, path);
    }
    return kept;
  };
  const clean = walk(doc, '');
  return redacted.length === 0 ? { body, redacted } : { body: JSON.stringify(clean), redacted };
}

/** The capture document of one read. */
export function buildCapture(recorder: Recorder, source: string, url: string, result: MetadataResult | { error: string }): Capture {
  const responses = { ...recorder.responses };
  const capture: Capture = { format: CAPTURE_FORMAT, version: 1, source, url, responses, statuses: { ...recorder.statuses } };
  for (const [path, body] of Object.entries(responses)) {
    if (!path.endsWith('/meta-data/all')) continue;
    const clean = redactAll(body);
    responses[path] = clean.body;
    if (clean.redacted.length > 0) capture.redacted = clean.redacted;
  }
  if (Object.keys(recorder.errors).length > 0) capture.errors = { ...recorder.errors };
  capture.result = 'error' in result ? result : interpretation(result);
  return capture;
}

/** Per ENI: where its data came from and what eni-init made of it (or why it could not). */
function interpretation(result: MetadataResult) {
  return {
    complete: result.complete,
    source: result.source,
    requests: result.requests,
    requestsBy: result.requestsBy,
    tokenMode: result.tokenMode,
    instance: result.instance,
    enis: [
      ...result.enis.map((eni) => ({ source: result.sources?.[eni.mac], ...eni })),
      ...result.failed.map((failed) => ({ source: result.sources?.[failed.mac], failed: true, ...failed })),
    ],
  };
}
