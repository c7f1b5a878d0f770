import { defineAtom, type Hit } from './atom.js';
import { CODE_FILES } from './files.js';
import { callArguments, findCalls, resolveIdentifier } from './scan.js';

const PASSWORD = /pass(?:word|wd|phrase)?|pwd/i;
const FAST_HASHES = /^['"`](md5|sha-?1|sha-?224|sha-?256|sha-?384|sha-?512|md4|ripemd160)['"`]$/i;

/** `<obj>.password`, `<obj>.passwordHash`: a stored credential, unless the object is the request. */
const STORED = /(?<![\w$.])(?!req\b|request\b|body\b|input\b|form\b|data\b|params\b|args\b|ctx\b|dto\b)([A-Za-z_$][\w$]*)(?:\??\.[A-Za-z_$][\w$]*)*\??\.(pass(?:word|wd)?(?:_?hash)?|hashed_?password|password_?digest)\b/i;
const EQUALITY = /[!=]==?/g;
const OPERAND_END = /[\n;&|(){}?:,]/;

export interface Options {
  bcryptMinCost: number;
}

export default defineAtom<Options>({
  id: 'password-hashing',
  title: 'Passwords are stored with a slow, salted hash',
  criteria: {
    pass: 'Passwords are hashed with bcrypt (cost ≥ bcryptMinCost, default 12), scrypt or argon2id, and checked with the library’s compare function.',
    fail: 'A password is hashed with a fast digest (MD5, SHA-1, plain SHA-256), bcrypt is used with a low cost, or a stored password is compared with ===.',
  },
  files: CODE_FILES,
  keywords: ['createhash', 'md5', 'sha1', 'bcrypt', 'password', 'passwd', 'pwd'],
  defaultLevel: 'block',
  options: (z) => z.strictObject({ bcryptMinCost: z.number().int().min(4).max(31).default(12) }),
  rules: {
    'fast-hash': {
      message: 'A password is hashed with a fast digest, which GPUs brute-force at billions of guesses per second.',
      fix: "Use bcrypt (await bcrypt.hash(password, 12)), scrypt or argon2id, and verify with bcrypt.compare / argon2.verify.",
    },
    'low-bcrypt-cost': {
      message: 'bcrypt is used with a cost below the policy minimum.',
      fix: 'Raise the cost to at least bcryptMinCost (default 12): bcrypt.hash(password, 12).',
    },
    'plaintext-comparison': {
      message: 'A stored password or hash is compared with ===, which leaks timing and implies plaintext or unsalted storage.',
      fix: 'Store a bcrypt/argon2 hash and verify with await bcrypt.compare(password, user.passwordHash) (or crypto.timingSafeEqual for fixed-length digests).',
    },
  },
  examples: {
    bad: [
      { file: 'src/users.ts', code: "import { createHash } from 'node:crypto';\nconst hash = createHash('md5').update(password).digest('hex'); // ✗" },
      { file: 'src/users.js', code: "user.passwordHash = crypto.createHash('sha1').update(req.body.password).digest('hex'); // ✗" },
      { file: 'src/signup.ts', code: 'const hashed = await bcrypt.hash(password, 10); // ✗' },
      { file: 'src/signup.js', code: 'const saltRounds = 8;\nconst salt = bcrypt.genSaltSync(saltRounds); // ✗' },
      { file: 'src/login.ts', code: 'if (user.password === password) { // ✗\n  return issueSession(user);\n}' },
      { file: 'src/legacy.js', code: "const digest = crypto.createHash('sha256').update(pwd).digest('base64'); // ✗" },
      { file: 'src/low-cost-policy.ts', code: 'await bcrypt.hash(password, 12); // ✗', options: { bcryptMinCost: 14 } },
    ],
    good: [
      { file: 'src/users.ts', code: 'const hash = await bcrypt.hash(password, 12);\nconst ok = await bcrypt.compare(password, user.passwordHash);' },
      { file: 'src/files.ts', code: "const etag = createHash('sha1').update(fileBuffer).digest('hex');" },
      { file: 'src/signup.ts', code: "if (password !== confirmPassword) throw new Error('Passwords do not match');\nif (password === '') throw new Error('required');" },
      { file: 'src/users.js', code: 'const SALT_ROUNDS = 12;\nconst hashed = await bcrypt.hash(req.body.password, SALT_ROUNDS);' },
      { file: 'src/argon.ts', code: "import argon2 from 'argon2';\nconst hash = await argon2.hash(password, { type: argon2.argon2id });" },
      { file: 'src/compare.ts', code: 'const ok = timingSafeEqual(Buffer.from(a), Buffer.from(b));\nif (typeof user.password === "string") check(user);' },
    ],
  },
  check(file, { options }) {
    const hits: Hit[] = [];
    const text = file.text;

    for (const call of findCalls(text, ['createHash'])) {
      const [algorithm] = callArguments(text, call.argsStart);
      if (!algorithm || !FAST_HASHES.test(algorithm.text)) continue;
      // The data hashed is in the rest of the chain: `.update(password)`.
      const statement = text.slice(algorithm.end, statementEnd(text, algorithm.end));
      const update = statement.match(/\.update\(\s*([^)]*)\)/);
      if (update && PASSWORD.test(update[1]!)) hits.push({ rule: 'fast-hash', ...file.position(call.start) });
    }
    for (const call of findCalls(text, ['md5', 'sha1', 'sha256'])) {
      const [data] = callArguments(text, call.argsStart);
      if (data && PASSWORD.test(data.text) && !/\.\s*$/.test(text.slice(Math.max(0, call.start - 1), call.start))) hits.push({ rule: 'fast-hash', ...file.position(call.start) });
    }
    for (const call of findCalls(text, ['hash', 'hashSync', 'genSalt', 'genSaltSync'])) {
      const receiver = text.slice(Math.max(0, call.start - 20), call.start);
      if (!/bcrypt(?:js)?\s*\.\s*$/i.test(receiver) && !/^genSalt/.test(call.name)) continue;
      const args = callArguments(text, call.argsStart);
      const costArg = call.name.startsWith('genSalt') ? args[0] : args[1];
      if (!costArg) continue;
      const value = /^\d+$/.test(costArg.text) ? costArg.text : resolveIdentifier(text, costArg.text, call.start);
      const cost = value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
      if (cost !== null && cost < options.bcryptMinCost) {
        hits.push({ rule: 'low-bcrypt-cost', ...file.position(call.start), message: `bcrypt cost ${cost} is below the minimum of ${options.bcryptMinCost}.` });
      }
    }
    for (const m of text.matchAll(EQUALITY)) {
      const { left, right, leftStart } = operands(text, m.index, m.index + m[0].length);
      if (/^typeof\b/.test(left) || /^(?:['"`]|null\b|undefined\b|\d)/.test(right)) continue;
      const stored = STORED.test(left) ? right : STORED.test(right) ? left : null;
      if (stored === null || !PASSWORD.test(stored) && !/hash/i.test(stored)) continue;
      hits.push({ rule: 'plaintext-comparison', ...file.position(leftStart) });
    }
    return hits;
  },
});

/** The expressions on either side of an equality operator, up to the nearest delimiter. */
function operands(text: string, opStart: number, opEnd: number) {
  let from = opStart;
  while (from > 0 && opStart - from < 200 && !OPERAND_END.test(text[from - 1]!)) from--;
  let to = opEnd;
  while (to < text.length && to - opEnd < 200 && !OPERAND_END.test(text[to]!)) to++;
  const rawLeft = text.slice(from, opStart);
  return { left: rawLeft.trim(), right: text.slice(opEnd, to).trim(), leftStart: from + rawLeft.length - rawLeft.trimStart().length };
}

function statementEnd(text: string, from: number): number {
  const end = text.slice(from).search(/;|\n\s*\n/);
  return end < 0 ? text.length : from + end;
}
