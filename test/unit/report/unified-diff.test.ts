// The unified diff of a file eni-init would write: exact small cases, and (fast-check) its hunks turn the old text into the new.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitLines, unifiedDiff } from '../../../src/report/unified-diff.ts';

/** Applies a unified diff (as `patch` would, strictly: every context and removed line must match) to `before`. */
function applyDiff(before: string | null, diff: string): string {
  const old = splitLines(before);
  const out: string[] = [];
  const lines = diff.split('\n').slice(0, -1);
  assert.match(lines[0] ?? '', /^--- /);
  assert.match(lines[1] ?? '', /^\+\+\+ /);
  let next = 0; // index into old
  let previous = '';
  let counts = { old: 0, new: 0 };
  const checkCounts = () => assert.ok(counts.old === 0 && counts.new === 0, 'the hunk header counts its lines');
  for (const line of lines.slice(2)) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(line);
    if (header) {
      checkCounts();
      const start = Number(header[1]);
      counts = { old: header[2] === undefined ? 1 : Number(header[2]), new: header[4] === undefined ? 1 : Number(header[4]) };
      const from = counts.old === 0 ? start : start - 1;
      assert.ok(from >= next, 'hunks in order, not overlapping');
      out.push(...old.slice(next, from));
      next = from;
      continue;
    }
    if (line === '\\ No newline at end of file') {
      // Only an added line's newline is in the output to strip: a context or removed line was taken from `old` as it is.
      if (previous === '+') out[out.length - 1] = (out[out.length - 1] as string).replace(/\n$/, '');
      continue;
    }
    const op = line[0] ?? '';
    previous = op;
    if (op === ' ' || op === '-') {
      assert.equal(old[next]?.replace(/\n?$/, ''), line.slice(1), `line ${next + 1} matches`);
      if (op === ' ') out.push(old[next] as string);
      next++;
      counts.old--;
      if (op === ' ') counts.new--;
    } else {
      assert.equal(op, '+');
      out.push(line.slice(1) + '\n');
      counts.new--;
    }
  }
  checkCounts();
  out.push(...old.slice(next));
  return out.join('');
}

test('a new file is all added, a removed one all removed, an equal one no diff', () => {
  assert.equal(unifiedDiff('/etc/x', null, 'a\nb\n'), '--- /dev/null\n+++ /etc/x\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  assert.equal(unifiedDiff('/etc/x', 'a\n', null), '--- /etc/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n');
  assert.equal(unifiedDiff('/etc/x', 'a\n', 'a\n'), '');
});

test('a changed line shows 3 lines of context either side; far apart changes get hunks of their own', () => {
  const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
  const after = before.replace('line 10\n', 'line ten\n').replace('line 19\n', '');
  assert.equal(
    unifiedDiff('/etc/x', before, after),
    [
      '--- /etc/x',
      '+++ /etc/x',
      '@@ -7,7 +7,7 @@',
      ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13',
      '@@ -16,5 +16,4 @@',
      ' line 16', ' line 17', ' line 18', '-line 19', ' line 20',
      '',
    ].join('\n'),
  );
});

test('a last line without a newline is marked, as diff does', () => {
  assert.equal(unifiedDiff('/x', 'a\nb', 'a\nb\n'), '--- /x\n+++ /x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
});

test('a long diff is cut at maxLines, saying how many lines were left out', () => {
  const after = Array.from({ length: 300 }, (_, i) => `${i}\n`).join('');
  const diff = unifiedDiff('/x', null, after, { maxLines: 200 }).split('\n');
  assert.equal(diff.length, 202);
  assert.equal(diff[200], '... 103 more lines of this diff not shown');
});

const text = fc.oneof(
  fc.constant(null),
  fc.array(fc.constantFrom('a', 'b', 'c', '', '[Match]', 'Name=eth1'), { maxLength: 30 }).chain((lines) =>
    fc.boolean().map((newline) => lines.join('\n') + (newline && lines.length > 0 ? '\n' : '')),
  ),
);

test('property: applying the diff to the old text gives the new text, and every hunk header counts its lines', () => {
  fc.assert(
    fc.property(text, text, fc.integer({ min: 0, max: 4 }), (before, after, context) => {
      const diff = unifiedDiff('/f', before, after, { context, maxLines: 10_000 });
      if ((before ?? '') === (after ?? '')) {
        assert.equal(diff === '', before === after);
        return;
      }
      assert.equal(applyDiff(before, diff), after ?? '');
    }),
    { numRuns: 500 },
  );
});
