/** The state of everything under `root` (path, mode, mtime, content hash or link target per entry), leaving out a top-level entry named `skip`. */
export function treeState(root: string, skip?: string): string;
