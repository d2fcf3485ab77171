import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outputMatches } from '../../src/judge/compare.js';

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
