/** Runs the secrets atom on one sample the way the engine does (decode, then check or checkSkipped). */
import { checkLinearRegex } from '../../src/policy/linear-regex.js';
import * as z from 'zod';
import secrets, { RULE_TABLE } from '../../src/atoms/secrets.js';
import type { Hit } from '../../src/kit/atom.js';
import { DEFAULT_SAMPLE_FILE } from '../../src/atoms/secrets/rule.js';
import { sourceFile } from '../../src/engine/source-file.js';
import { stubContext } from './examples.js';
import { decode } from '../../src/changeset/text.js';

export interface SampleCase {
  rule: string;
  file: string;
  code: string | Buffer;
  secret?: string;
}

export function checkSecrets(file: string, code: string | Buffer, options: Record<string, unknown> = {}): Hit[] {
  const parsed = secrets.options!(z, { regexProblem: checkLinearRegex }).parse(options);
  const ctx = stubContext(parsed);
  const decoded = decode(typeof code === 'string' ? Buffer.from(code) : code, 5_000_000);
  if ('skip' in decoded) return secrets.checkSkipped?.({ path: file }, ctx) ?? [];
  return secrets.check(sourceFile({ path: file, allAdded: true, added: [] }, decoded.text), ctx) as Hit[];
}

/** Every rule's true-positive and false-positive samples. */
export function allSamples(): { tp: SampleCase[]; fp: SampleCase[] } {
  const tp: SampleCase[] = [];
  const fp: SampleCase[] = [];
  for (const r of RULE_TABLE) {
    const s = r.samples();
    for (const t of s.tp)
      tp.push({
        rule: r.id,
        file: t.file ?? DEFAULT_SAMPLE_FILE,
        code: t.code,
        ...(t.secret ? { secret: t.secret } : {}),
      });
    for (const f of s.fp)
      fp.push(
        typeof f === 'string'
          ? { rule: r.id, file: DEFAULT_SAMPLE_FILE, code: f }
          : { rule: r.id, file: f.file ?? DEFAULT_SAMPLE_FILE, code: f.code },
      );
  }
  return { tp, fp };
}
