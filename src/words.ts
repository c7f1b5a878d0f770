/** Small pieces of English the messages share. */

/** `1 file`, `2 files`; `plural(n, 'pass', 'passes')` for an irregular plural. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
