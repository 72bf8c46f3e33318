// Pure: two versions of a small text file -> a unified diff (`diff -u` format, 3 lines of context), capped in length.
//
// No diff library is in node_modules (2026-12) and files eni-init writes are a few dozen lines: a plain LCS over
// lines (quadratic, bounded by MAX_LCS_LINES) is enough. The format is GNU diff's unified format
// (https://www.gnu.org/software/diffutils/manual/html_node/Detailed-Unified.html): `--- old`, `+++ new`, hunks
// `@@ -start,count +start,count @@` (an empty range names the line before it), and `\ No newline at end of file`.

export interface DiffOptions {
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
  /** Lines of the diff shown at most, headers included (default 200); the rest is counted, not shown. */
  maxLines?: number;
}

/** Above this many lines on either side the diff is "all removed, all added" (no quadratic table). */
const MAX_LCS_LINES = 2000;

type Op = ' ' | '-' | '+';
interface Edit {
  op: Op;
  /** The line with its newline, if it has one. */
  line: string;
}

/** Lines with their terminators: `a\nb` is `a\n`, `b` (the last one without). */
export function splitLines(text: string | null): string[] {
  if (text === null || text === '') return [];
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The shortest edit script keeping a longest common subsequence of lines. */
function edits(before: readonly string[], after: readonly string[]): Edit[] {
  const n = before.length;
  const m = after.length;
  if (n > MAX_LCS_LINES || m > MAX_LCS_LINES) return [...before.map((line) => ({ op: '-' as const, line })), ...after.map((line) => ({ op: '+' as const, line }))];
  // lengths[i * (m + 1) + j]: LCS length of before[i..] and after[j..].
  const lengths = new Uint16Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => lengths[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lengths[i * (m + 1) + j] = before[i] === after[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  }
  const script: Edit[] = [];
  let i = 0;
  let j = 0;
  // Equal lines are always kept; otherwise a removal comes before an addition (as diff prints them) unless the addition keeps more.
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      script.push({ op: ' ', line: before[i++] as string });
      j++;
    } else if (i < n && (j === m || at(i + 1, j) >= at(i, j + 1))) {
      script.push({ op: '-', line: before[i++] as string });
    } else {
      script.push({ op: '+', line: after[j++] as string });
    }
  }
  return script;
}

/** `start,count` of one side of a hunk; an empty range names the line before it. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? String(start) : `${start},${count}`;
}

/** The printed lines of one edit: the line without its newline, plus the marker when it has none. */
function printed(edit: Edit): string[] {
  return edit.line.endsWith('\n') ? [edit.op + edit.line.slice(0, -1)] : [edit.op + edit.line, '\\ No newline at end of file'];
}

/** The hunks of an edit script, as printed lines. */
function hunks(script: readonly Edit[], context: number): string[] {
  const changed = script.flatMap((edit, index) => (edit.op === ' ' ? [] : [index]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k] as number;
    let last = first;
    // Changes closer than two contexts apart share a hunk.
    while (k + 1 < changed.length && (changed[k + 1] as number) - last <= 2 * context + 1) last = changed[++k] as number;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(script.length, last + context + 1);
    // Line numbers (1-based) where the hunk starts on each side: count the lines of each side before it.
    let oldStart = 1;
    let newStart = 1;
    for (const edit of script.slice(0, from)) {
      if (edit.op !== '+') oldStart++;
      if (edit.op !== '-') newStart++;
    }
    const body = script.slice(from, to);
    const oldCount = body.filter((edit) => edit.op !== '+').length;
    const newCount = body.filter((edit) => edit.op !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...body.flatMap(printed));
  }
  return out;
}

/**
 * The unified diff from `before` to `after` (null: the file is absent) of the file at `path`, ending with a
 * newline; empty when they are equal. Longer than `maxLines`: cut, with a last line saying how many were left out.
 */
export function unifiedDiff(path: string, before: string | null, after: string | null, options: DiffOptions = {}): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 200;
  const lines = [`--- ${before === null ? '/dev/null' : path}`, `+++ ${after === null ? '/dev/null' : path}`, ...hunks(edits(splitLines(before), splitLines(after)), context)];
  if (lines.length <= maxLines) return lines.join('\n') + '\n';
  const left = lines.length - maxLines;
  return [...lines.slice(0, maxLines), `... ${left} more line${left === 1 ? '' : 's'} of this diff not shown`].join('\n') + '\n';
}
