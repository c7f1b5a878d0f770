/**
 * Colour or not, as node and most CLIs decide: `--no-color` says no; a
 * FORCE_COLOR other than 0/false says yes even into a pipe (CI logs, `| less -R`);
 * then NO_COLOR says no; else colour only on a terminal.
 */
export function colorWanted(noColorFlag: boolean, stream: { isTTY?: boolean } = process.stdout): boolean {
  if (noColorFlag) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (process.env.NO_COLOR) return false;
  return stream.isTTY === true;
}
