import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitWords, UnbalancedQuote } from '../../../src/compat/judge0/words.js';

/** command_line_arguments and compiler_options become the words Judge0's bash would have made. */
test('whitespace separates; quotes and backslashes group; nothing expands', () => {
  assert.deepEqual(splitWords('  -O2   -Wall '), ['-O2', '-Wall']);
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
  assert.deepEqual(splitWords(`"say \\"hi\\"" 'it''s' *.txt ~`), ['say "hi"', 'its', '*.txt', '~']);
  assert.deepEqual(splitWords('""'), ['']);
  assert.deepEqual(splitWords(''), []);
});

test("Judge0's removed characters are removed here too: nothing chains, redirects or substitutes", () => {
  assert.deepEqual(splitWords('a; rm -rf / && b | c > d < e `f` $(g) $HOME'), ['a', 'rm', '-rf', '/', 'b', 'c', 'd', 'e', 'f', '(g)', 'HOME']);
});

test('an unclosed quote is an error, not a guess', () => {
  assert.throws(() => splitWords('"abc'), UnbalancedQuote);
  assert.throws(() => splitWords("it's"), UnbalancedQuote);
});
