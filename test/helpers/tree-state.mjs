// Every entry under a directory, to compare before and after: path, mode,
// modification time, and a content hash or link target. Plain JavaScript so
// that a hook can run it with node alone:
//   node tree-state.mjs record LOG ROOT PHASE ARGS...  appends {phase, argv, state} to LOG
import { createHash } from 'node:crypto';
import { appendFileSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The state of everything under `root`, leaving out a top-level entry named `skip` (".git" for a working tree alone). */
export function treeState(root, skip = '') {
  // The root's own mtime too: a file made and removed at the top shows only there.
  const lines = [`. ${lstatSync(root).mtimeMs}`];
  const walk = (dir, rel) => {
    for (const name of readdirSync(dir).sort()) {
      if (!rel && name === skip) continue;
      const full = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(full);
      const what = st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? `link ${readlinkSync(full)}`
          : st.isFile()
            ? `file ${createHash('sha1').update(readFileSync(full)).digest('hex')}`
            : 'other';
      lines.push(`${JSON.stringify(path)} ${st.mode.toString(8)} ${st.mtimeMs} ${what}`);
      if (st.isDirectory()) walk(full, path);
    }
  };
  walk(root, '');
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'record') {
  const [log, root, phase, ...argv] = process.argv.slice(3);
  appendFileSync(log, JSON.stringify({ phase, argv: argv.join(' '), state: treeState(root) }) + '\n');
}
