// Prints what routing needs of every built-in atom — its header and the
// compiled regexes of its globs — for the build to inline (RALPH_GUARD_ATOM_HEADERS),
// so a commit routes files without loading any atom or glob compiler.
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { compileGlobs } from '../src/globs.js';
import { headerOf } from '../src/router.js';

const headers = BUILTIN_ATOMS.map(headerOf);
process.stdout.write(JSON.stringify({ headers, globs: compileGlobs(headers.flatMap((h) => h.files)) }));
