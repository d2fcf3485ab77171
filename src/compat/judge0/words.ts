/**
 * Splits compiler_options or command_line_arguments into argument vector entries the way
 * Judge0's run script would, without any shell. Judge0 first deletes $ & ; < > | and backquote
 * (so nothing chains, redirects or substitutes) and hands the rest to bash, where only quoting
 * and backslashes still mean something. Both are reproduced here; nothing is expanded.
 */
export function splitWords(text: string): string[] {
  const source = text.trim().replace(/[$&;<>|`]/g, '');
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end < 0) throw new UnbalancedQuote();
      word += source.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < source.length && source[j] !== '"'; j++) {
        // Inside double quotes bash keeps a backslash unless it escapes " or \ (or $ and `, gone here).
        if (source[j] === '\\' && (source[j + 1] === '"' || source[j + 1] === '\\')) j++;
        word += source[j];
      }
      if (j >= source.length) throw new UnbalancedQuote();
      inWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 < source.length && source[i + 1] !== '\n') word += source[i + 1];
      inWord = true;
      i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export class UnbalancedQuote extends Error {
  constructor() {
    super('has a quote that is never closed');
  }
}
