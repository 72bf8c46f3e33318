// The cloud-init drop-in as a step: what plan would do, what apply writes, what remove deletes (never someone else's file).
import type { FileEntry, FilePreview, Problem } from '../model.ts';
import { CLOUD_INIT_CONTENT, CLOUD_INIT_FILE, cloudInitDecision } from '../files/cloudinit.ts';

/** Files under the root directory option; paths are absolute as on the real host. */
export interface CloudInitDeps {
  files: {
    read(path: string): Promise<string | null>;
    writeAtomic(path: string, content: string): Promise<'created' | 'replaced' | 'unchanged'>;
    removeIfContent(path: string, content: string): Promise<'removed' | 'absent' | 'different'>;
  };
}

export interface CloudInitResult {
  entry: FileEntry;
  problem?: Problem;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Why eni-init writes the file (cloudinit.ts: it is written only where there is none). */
const WHY = "missing: without it cloud-init may rewrite the network config at boot and drop the ENIs' setup";

/** plan, status: what apply would do to the file, and what it would write (a read failure ends the run as a read failure). */
export async function previewCloudInit(deps: CloudInitDeps): Promise<{ entry: FileEntry; preview?: FilePreview }> {
  const decision = cloudInitDecision(await deps.files.read(CLOUD_INIT_FILE));
  if (decision === 'write') return { entry: { path: CLOUD_INIT_FILE, action: 'would-create', reason: WHY }, preview: { path: CLOUD_INIT_FILE, before: null, after: CLOUD_INIT_CONTENT } };
  return { entry: { path: CLOUD_INIT_FILE, action: decision === 'unchanged' ? 'unchanged' : 'kept' } };
}

/** apply: writes the file when absent or ours; a failure is a problem of the run (`cloud-init-file`), never an abort. */
export async function writeCloudInit(deps: CloudInitDeps): Promise<CloudInitResult> {
  let decision;
  try {
    decision = cloudInitDecision(await deps.files.read(CLOUD_INIT_FILE));
  } catch (error) {
    return { entry: { path: CLOUD_INIT_FILE, action: 'skipped', note: 'read failed' }, problem: { code: 'cloud-init-file', message: `cannot read ${CLOUD_INIT_FILE}: ${message(error)}` } };
  }
  if (decision === 'kept-equivalent') return { entry: { path: CLOUD_INIT_FILE, action: 'kept', note: 'an equivalent file of someone else is already there' } };
  if (decision === 'kept-foreign') {
    return {
      entry: { path: CLOUD_INIT_FILE, action: 'kept', note: 'other content, left alone' },
      problem: { code: 'cloud-init-file', message: `${CLOUD_INIT_FILE} exists with other content; left alone, cloud-init may still rewrite network config` },
    };
  }
  try {
    const action = await deps.files.writeAtomic(CLOUD_INIT_FILE, CLOUD_INIT_CONTENT);
    return { entry: { path: CLOUD_INIT_FILE, action, ...(action === 'unchanged' ? {} : { reason: WHY }) } };
  } catch (error) {
    return { entry: { path: CLOUD_INIT_FILE, action: 'skipped', note: 'write failed' }, problem: { code: 'cloud-init-file', message: `cannot write ${CLOUD_INIT_FILE}: ${message(error)}` } };
  }
}

/** remove: deletes the file only when its content is exactly ours. */
export async function removeCloudInit(deps: CloudInitDeps): Promise<FileEntry> {
  const removed = await deps.files.removeIfContent(CLOUD_INIT_FILE, CLOUD_INIT_CONTENT);
  return { path: CLOUD_INIT_FILE, action: removed === 'different' ? 'kept' : removed, ...(removed === 'different' ? { note: 'not written by eni-init' } : {}) };
}
