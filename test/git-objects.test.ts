// Objects read without starting git (src/git/git.ts): a loose blob's size from its header and its content
// from its file give what `git cat-file` gives; anything else (packed objects, trees, ids git lacks) is asked of git.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlobReader, looseObjectsDir, objectSizes, TooLarge } from '../src/git/git.js';
import { makeRepo } from './helpers/repo.js';

test('sizes from loose headers equal the sizes git gives, for blobs of every kind; packed ones come from git', async () => {
  const repo = makeRepo();
  const contents: Record<string, Buffer> = {
    'empty.txt': Buffer.alloc(0),
    'one.txt': Buffer.from('x'),
    // Highly compressible: the header is decoded from the first compressed bytes all the same.
    'zeros.bin': Buffer.alloc(3_000_000),
    'random.bin': randomBytes(200_000),
    'text.js': Buffer.from('export const a = 1;\n'.repeat(5000)),
    // Large and not very compressible: inflated into one buffer of the size its header declares.
    'lock.json': Buffer.from(
      randomBytes(300_000)
        .toString('base64')
        .replace(/(.{60})/g, '$1\n'),
    ),
    // With the others, more than the 2 MB of recently read blobs BlobReader keeps: some are read anew.
    'big.bin': randomBytes(1_500_000),
  };
  for (const [path, bytes] of Object.entries(contents)) repo.write(path, bytes);
  repo.stage();
  repo.commit('blobs');
  const ids = Object.keys(contents).map((path) => repo.git('rev-parse', `HEAD:${path}`).trim());
  const tree = repo.git('rev-parse', 'HEAD^{tree}').trim();
  const missing = '0123456789abcdef0123456789abcdef01234567';
  const objects = looseObjectsDir(repo.dir);
  assert.ok(objects);

  const fromGit = await objectSizes(repo.dir, [...ids, tree, missing]);
  const fromHeaders = await objectSizes(repo.dir, [...ids, tree, missing], objects);
  assert.equal([...fromHeaders].sort(), [...fromGit].sort());
  assert.equal(
    ids.map((id) => fromHeaders.get(id)),
    Object.values(contents).map((b) => b.length),
  );
  assert.ok(fromHeaders.has(tree), 'a tree is not a blob: its size comes from git');
  assert.not.ok(fromHeaders.has(missing));

  // Contents read from the loose files are git's, byte for byte: read once, read again at once (BlobReader keeps the
  // last 2 MB of blobs read), and again after more than that came in between (big.bin).
  const loose = new BlobReader(repo.dir, objects);
  try {
    const fromCatFile = ids.map((id) =>
      execFileSync('git', ['cat-file', 'blob', id], { cwd: repo.dir, maxBuffer: 1 << 26 }),
    );
    for (const [i, id] of ids.entries())
      for (const time of ['first', 'second'])
        assert.ok(((await loose.read(id)) as Buffer).equals(fromCatFile[i]!), `${id}, read a ${time} time`);
    for (const [i, id] of ids.entries())
      assert.ok(((await loose.read(id)) as Buffer).equals(fromCatFile[i]!), `${id}, read once more`);
    assert.ok((await loose.read(ids[5]!, 1000)) instanceof TooLarge, 'a kept blob over the limit is too large');
  } finally {
    loose.close();
  }

  // Packed: no loose file left, every size from git.
  repo.git('gc', '-q', '--prune=now');
  assert.equal(
    [...(await objectSizes(repo.dir, ids, objects))].sort(),
    [...fromGit].filter(([id]) => ids.includes(id)).sort(),
  );

  const reader = new BlobReader(repo.dir, objects);
  try {
    assert.equal(await reader.read(ids[2]!), contents['zeros.bin']);
  } finally {
    reader.close();
  }
});

test.run();
