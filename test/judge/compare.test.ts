import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareOutput, outputMatches } from '../../src/judge/compare.js';
import type { Comparison } from '../../src/judge/types.js';

/** The default output comparison: what decides accepted vs wrong answer. */
function matches(actual: string | Buffer, expected: string | Buffer): boolean {
  const a = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : actual;
  const e = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : expected;
  return outputMatches(a, e);
}

describe('outputMatches', () => {
  test('identical output matches', () => {
    assert.equal(matches('1 2 3\n4 5 6\n', '1 2 3\n4 5 6\n'), true);
    assert.equal(matches('', ''), true);
  });

  test('trailing spaces and tabs on each line are ignored', () => {
    assert.equal(matches('1 2 3   \n4 5 6\t\n', '1 2 3\n4 5 6\n'), true);
    assert.equal(matches('1 2 3\n4 5 6\n', '1 2 3 \t \n4 5 6  \n'), true);
    assert.equal(matches('last line  ', 'last line'), true);
  });

  test('trailing blank lines (and a missing final newline) are ignored', () => {
    assert.equal(matches('answer\n\n\n', 'answer\n'), true);
    assert.equal(matches('answer', 'answer\n'), true);
    assert.equal(matches('answer\n  \n\t\n', 'answer'), true);
    assert.equal(matches('\n\n', ''), true);
  });

  test('CRLF and LF line endings are equal', () => {
    assert.equal(matches('a\r\nb\r\n', 'a\nb\n'), true);
    assert.equal(matches('a\nb\n', 'a\r\nb\r\n'), true);
    assert.equal(matches('a \r\nb\t\r\n\r\n', 'a\nb'), true);
  });

  test('leading whitespace is significant', () => {
    assert.equal(matches(' 42\n', '42\n'), false);
    assert.equal(matches('42\n', '\t42\n'), false);
    assert.equal(matches('1\n 2\n', '1\n2\n'), false);
  });

  test('leading blank lines are significant', () => {
    assert.equal(matches('\nanswer\n', 'answer\n'), false);
  });

  test('differences inside the output are detected', () => {
    assert.equal(matches('1 2 3\n', '1 2 4\n'), false);
    assert.equal(matches('1  2\n', '1 2\n'), false, 'inner whitespace counts');
    assert.equal(matches('a\n\nb\n', 'a\nb\n'), false, 'inner blank lines count');
    assert.equal(matches('Hello\n', 'hello\n'), false, 'case counts');
    assert.equal(matches('a\nb\n', 'a\nb\nc\n'), false, 'a missing line counts');
    assert.equal(matches('', 'x'), false);
  });

  test('invalid UTF-8 is compared byte by byte', () => {
    // Decoded as UTF-8 both would become U+FFFD and wrongly compare equal.
    assert.equal(matches(Buffer.from([0x61, 0xff, 0x0a]), Buffer.from([0x61, 0xfe, 0x0a])), false);
    assert.equal(matches(Buffer.from([0xc3, 0x0a]), Buffer.from([0xc4, 0x0a])), false);
    assert.equal(matches(Buffer.from([0x61, 0xff, 0x0a]), Buffer.from([0x61, 0xff, 0x0a])), true);
    // Trailing whitespace after invalid bytes is still ignored.
    assert.equal(matches(Buffer.from([0xff, 0x20, 0x20, 0x0a, 0x0a]), Buffer.from([0xff])), true);
  });

  test('valid multi-byte UTF-8 compares exactly', () => {
    assert.equal(matches('héllo wörld\n', 'héllo wörld'), true);
    assert.equal(matches('héllo\n', 'hello\n'), false);
  });
});

describe('compareOutput modes', () => {
  const cmp = (actual: string, expected: string, comparison: Comparison): boolean => compareOutput(Buffer.from(actual), Buffer.from(expected), comparison);

  test('exact: byte for byte, even trailing whitespace', () => {
    assert.equal(cmp('a\n', 'a\n', { mode: 'exact' }), true);
    assert.equal(cmp('a \n', 'a\n', { mode: 'exact' }), false);
    assert.equal(cmp('a', 'a\n', { mode: 'exact' }), false);
  });

  test('tokens: any whitespace between, same tokens in order', () => {
    assert.equal(cmp('1  2\n3\n', '1 2 3', { mode: 'tokens' }), true);
    assert.equal(cmp('1 2 3', '1 3 2', { mode: 'tokens' }), false);
    assert.equal(cmp('1 2', '1 2 3', { mode: 'tokens' }), false);
    assert.equal(cmp('', '\n \n', { mode: 'tokens' }), true);
  });

  test('numbers: within the absolute or the relative tolerance; other tokens exactly', () => {
    const abs = { mode: 'numbers' as const, absolute: 1e-3, relative: 0 };
    assert.equal(cmp('0.3334', '0.3333', abs), true);
    assert.equal(cmp('0.335', '0.3333', abs), false);
    const rel = { mode: 'numbers' as const, absolute: 0, relative: 1e-6 };
    assert.equal(cmp('1000000.5', '1000000', rel), true);
    assert.equal(cmp('1000002', '1000000', rel), false);
    assert.equal(cmp('yes 1.0', 'yes 1', abs), true);
    assert.equal(cmp('Yes 1', 'yes 1', abs), false);
    assert.equal(cmp('1e3', '1000', abs), true);
  });

  test('numbers: non-numbers never pass as numbers (nan, inf, hex)', () => {
    const tol = { mode: 'numbers' as const, absolute: 1, relative: 1 };
    assert.equal(cmp('nan', '0', tol), false);
    assert.equal(cmp('Infinity', '1e308', tol), false);
    assert.equal(cmp('0x10', '16', tol), false);
  });
});
