import type { Comparison } from './types.js';

/** The comparison a submission gets when it names none. */
export const DEFAULT_COMPARISON: Comparison = { mode: 'trim' };

/**
 * The default comparison of output with expected output: trailing whitespace on each line and
 * trailing blank lines are ignored, everything else must match exactly.
 */
export function outputMatches(actual: Buffer, expected: Buffer): boolean {
  return compareOutput(actual, expected, DEFAULT_COMPARISON);
}

/** Whether `actual` is a right answer for `expected` under `comparison`. */
export function compareOutput(actual: Buffer, expected: Buffer, comparison: Comparison): boolean {
  switch (comparison.mode) {
    case 'exact':
      return actual.equals(expected);
    case 'trim':
      return normalize(latin1(actual)) === normalize(latin1(expected));
    case 'tokens': {
      const a = tokens(actual);
      const e = tokens(expected);
      return a.length === e.length && a.every((t, i) => t === e[i]);
    }
    case 'numbers': {
      const a = tokens(actual);
      const e = tokens(expected);
      return a.length === e.length && a.every((t, i) => tokenMatches(t, e[i], comparison.absolute, comparison.relative));
    }
  }
}

// latin1 maps bytes 1:1, so these compare bytes and never fail on invalid UTF-8.
function latin1(b: Buffer): string {
  return b.toString('latin1');
}

function normalize(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n').map((l) => l.replace(/[ \t\r\f\v]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

function tokens(b: Buffer): string[] {
  return latin1(b).split(/[ \t\n\r\f\v]+/).filter(Boolean);
}

/** A decimal number as judges write them: no hex, no "Infinity", no empty string. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Numeric tokens match within the absolute OR the relative tolerance (the usual judge rule, so a
 * tiny expected value is not held to a relative error it cannot have); anything else exactly.
 */
function tokenMatches(actual: string, expected: string, absolute: number, relative: number): boolean {
  if (actual === expected) return true;
  if (!NUMBER.test(actual) || !NUMBER.test(expected)) return false;
  const a = Number(actual);
  const e = Number(expected);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return false;
  const diff = Math.abs(a - e);
  return diff <= absolute || diff <= relative * Math.abs(e);
}
