// The parses of a batch's files are alive together until the batch is done, and what lives that long is promoted
// out of V8's young generation: a big commit's peak memory follows the batch size (batches.ts). A file of the
// bench's size (12 kB) is checked in a batch of its own; small files still share one stoppable call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChangedFile } from '../src/changeset/changeset.js';
import { batches, type Routed } from '../src/engine/batches.js';
import type { Prepared } from '../src/engine/prepare.js';

const routed = (sizes: number[]): Routed[] =>
  sizes.map((size, i) => ({
    file: { path: `f${i}-${size}.js`, allAdded: true, added: [], blob: String(i), oldBlob: null } as ChangedFile,
    atoms: [],
  }));

async function batchSizes(sizes: number[]): Promise<number[][]> {
  const files = routed(sizes);
  const out: number[][] = [];
  const read = async (file: ChangedFile) => Buffer.alloc(sizes[Number(file.blob)]!, 'a');
  const prepare = async (file: ChangedFile) => ({ file }) as unknown as Prepared;
  const never = (file: ChangedFile) => assert.unreachable(`${file.path} was reported unreadable or too large`);
  for await (const batch of batches(files, read, prepare, never, never))
    out.push(batch.map((p) => sizes[Number(p.file.blob)]!));
  return out;
}

test('files of 12 kB are checked one batch each', async () => {
  assert.equal(await batchSizes([12_000, 12_000, 12_000, 12_000]), [[12_000], [12_000], [12_000], [12_000]]);
});

test('small files share a batch, up to a few kB together', async () => {
  const batched = await batchSizes(Array(12).fill(3_000));
  assert.ok(batched.length < 12, `${batched.length} batches`);
  assert.ok(batched.length > 1, 'not all in one');
  assert.equal(batched.flat().length, 12);
  for (const b of batched) assert.ok(b.reduce((x, y) => x + y, 0) <= 20_000, JSON.stringify(b));
});

test('a file larger than a batch is a batch of its own, and every file is in one', async () => {
  assert.equal(await batchSizes([2_000, 900_000, 2_000]), [[2_000], [900_000], [2_000]]);
});

test.run();
