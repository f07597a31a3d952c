/**
 * Comma-separated flag values, repeatable: `--batch 1,2,4 --batch 8` → [1, 2, 4, 8];
 * `--provider cpu,wasm` → ['cpu', 'wasm']. Durations: `10s`, `500ms`, `2m`, or a bare number of seconds.
 */
import { MlserveError } from '../errors.js';

const invalid = (option: string, value: string, reason: string) => new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason });

export function collectNames(option: string) {
  return (value: string, previous?: string[]): string[] => {
    const names = value.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) throw invalid(option, value, 'empty item (two commas in a row or a trailing comma)');
    return [...(previous ?? []), ...names];
  };
}

export function collectPositiveInts(option: string) {
  return (value: string, previous?: number[]): number[] => {
    const items = value.split(',').map((s) => s.trim());
    const numbers = items.map((s) => {
      if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)) || Number(s) < 1) throw invalid(option, value, `'${s}' is not a positive integer`);
      return Number(s);
    });
    return [...(previous ?? []), ...numbers];
  };
}

export function parseCount(option: string, min: number) {
  return (value: string): number => {
    const n = Number(value.trim());
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw invalid(option, value, `expected an integer ≥ ${min}`);
    return n;
  };
}

export function parsePositiveNumber(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw invalid(option, value, 'expected a positive number');
    return n;
  };
}

export function parseNonNegativeNumber(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw invalid(option, value, 'expected a non-negative number');
    return n;
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds. */
export function parseDuration(option: string) {
  return (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
    if (!m) throw invalid(option, value, 'expected a duration such as 10s, 500ms or 2m');
    const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
    if (!(ms > 0)) throw invalid(option, value, 'must be longer than 0');
    return ms;
  };
}
