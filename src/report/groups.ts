/** Findings that say the same thing, for the formats a person or an assistant reads (pretty, agent). */
import type { Finding } from '../findings.js';

/**
 * Findings of one atom that share a rule, a fix and so a root cause, across
 * files: a lockfile's entries, one pattern repeated through a module or copied
 * into several. The groups keep the order of their first finding, and a group
 * its findings' order. JSON and SARIF keep every finding apart.
 */
export function groupFindings(findings: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.rule}\0${f.fix ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()];
}
