// Imported by main.ts right after the V8 flags, before any other module runs: SIGTERM/SIGINT are caught from here on.
// Node itself needs some tens of milliseconds to start; a signal before this module runs still ends the process
// with the signal (nothing of eni-init has run yet, so nothing was changed). From here on a signal never kills
// eni-init: it is recorded, and main.ts decides (exit 8 when nothing was changed, else finish and report).

export type StopSignal = 'SIGTERM' | 'SIGINT';

export const signals: { received: StopSignal | undefined; listener: ((signal: StopSignal) => void) | undefined } = {
  received: undefined,
  listener: undefined,
};

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals.received ??= signal;
    signals.listener?.(signal);
  });
}
