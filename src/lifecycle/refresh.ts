// The `refresh-interval` setting of eni-init.conf: the period of eni-init-refresh.timer in seconds, or off.
import { UsageError } from '../errors.ts';

/**
 * The same grammar as packaging/systemd/eni-init-refresh-generator, which turns the setting into the timer's
 * period (a drop-in) or masks the timer; eni-init itself only checks it, and a refresh run that finds it off does
 * nothing (the generator acts at boot and daemon-reload only, so an edit takes effect at once this way too).
 *   ""            the packaged default (300 s)
 *   off, no, 0    no periodic refresh
 *   10..86400     seconds (plain digits: the generator is a POSIX shell script, it does no unit arithmetic)
 */
export type RefreshInterval = { kind: 'default' } | { kind: 'off' } | { kind: 'every'; seconds: number };

export const DEFAULT_REFRESH_SECONDS = 300;
export const MIN_REFRESH_SECONDS = 10;
export const MAX_REFRESH_SECONDS = 86400;

export function parseRefreshInterval(text: string, where = 'refresh-interval'): RefreshInterval {
  const value = text.trim().toLowerCase();
  if (value === '') return { kind: 'default' };
  if (value === 'off' || value === 'no' || value === 'false' || value === '0') return { kind: 'off' };
  if (!/^\d{1,6}$/.test(value)) throw new UsageError(`${where}: expected seconds (${MIN_REFRESH_SECONDS}..${MAX_REFRESH_SECONDS}) or off, got ${JSON.stringify(text)}`);
  const seconds = Number(value);
  if (seconds < MIN_REFRESH_SECONDS || seconds > MAX_REFRESH_SECONDS) {
    throw new UsageError(`${where}: ${seconds} is outside ${MIN_REFRESH_SECONDS}..${MAX_REFRESH_SECONDS} seconds (or off)`);
  }
  return { kind: 'every', seconds };
}

/** A refresh run with the refresh switched off ends before reading anything (the timer may still be armed until the next daemon-reload). */
export function refreshSwitchedOff(trigger: string, interval: string): boolean {
  return trigger === 'refresh' && parseRefreshInterval(interval).kind === 'off';
}
