// Pure: the capture document of `eni-init metadata` (paths and exact bodies), shared with the fake metadata service.

export const CAPTURE_FORMAT = 'eni-init-metadata-capture';

export interface Capture {
  format: typeof CAPTURE_FORMAT;
  version: 1;
  /** Where it came from (tool and version, instance, time; for a hand-written fixture: the public source of its facts). */
  source: string;
  url?: string;
  /** Exact bodies of the paths that answered 2xx, in the order they were read. */
  responses: Record<string, string>;
  /** Paths that answered another status (404 on an optional item, 500...). */
  statuses: Record<string, number>;
  /** Paths that got no answer (timeout, reset), with the error. */
  errors?: Record<string, string>;
  /** Members of the `all` document left out because they may be secret; the rest of it is re-serialized. */
  redacted?: string[];
  /** What eni-init made of it. */
  result?: unknown;
}

/** Problems with a parsed capture document (empty = usable). */
export function captureProblems(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['a capture is a JSON object'];
  const record = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (record['format'] !== CAPTURE_FORMAT) problems.push(`format: expected ${JSON.stringify(CAPTURE_FORMAT)}`);
  if (typeof record['source'] !== 'string' || record['source'] === '') problems.push('source: a line naming where it came from');
  const strings = (value: unknown) => typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item === 'string');
  const numbers = (value: unknown) => typeof value === 'object' && value !== null && Object.values(value).every((item) => Number.isInteger(item));
  if (!strings(record['responses'])) problems.push('responses: expected an object of path -> body');
  if (record['statuses'] !== undefined && !numbers(record['statuses'])) problems.push('statuses: expected an object of path -> status');
  return problems;
}
