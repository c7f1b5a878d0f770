/**
 * High-risk areas (DESIGN §10): the part of a change a person must look at.
 * Each is detected from code, not file names alone: a file that imports one
 * of the area's modules and whose change adds a line calling into it (or the
 * import itself). Like an atom, each area has criteria and examples; the
 * policy sets each area's level (`review`, `warn`, `block`, `off`) and adds
 * its own areas by path glob and tag.
 */

export type AreaLevel = 'review' | 'warn' | 'block' | 'off';

export interface Area {
  id: string;
  title: string;
  criteria: { pass: string; fail: string };
  /** Import specifiers that bring the area into a file. */
  modules?: RegExp;
  /** Text on an added line that touches the area (in a file that imports one of its modules, or in any file when no module is named). */
  calls?: RegExp;
  /** Files whose lines `calls` is not tried on (prose that only mentions the text). */
  notCallsIn?: RegExp;
  /** Lines that touch the area in particular files only. */
  callsIn?: { paths: RegExp; calls: RegExp };
  /** Every added line of a file that imports one of the modules is in the area (payment code), not only calls. */
  wholeFile?: boolean;
  /** Files that are in the area whatever they contain. */
  paths?: RegExp;
  /** The policy's globs for the area. */
  files?: (path: string) => boolean;
  tags?: string[];
  examples: { touches: string; file: string };
  level: AreaLevel;
}

export const BUILTIN_AREAS: Area[] = [
  {
    id: 'payments',
    title: 'Payment provider calls and webhooks',
    criteria: {
      pass: 'A person who knows the payment flow has read the change: amounts and currencies come from the server, webhooks verify their signature, idempotency keys are used, and no card data touches our servers.',
      fail: 'A change calls a payment SDK (Stripe, PayPal, Braintree, Adyen, Square) or handles its webhooks, and no human has acknowledged it.',
    },
    modules:
      /^(stripe|@stripe\/[\w.-]+|@paypal\/[\w.-]+|paypal-rest-sdk|@paypal\/checkout-server-sdk|braintree|@adyen\/api-library|square|squareup)$/,
    calls:
      /\b(paymentIntents|setupIntents|charges|refunds|payouts|transfers|subscriptions|invoices|customers|checkout|webhooks|constructEvent|transaction|paymentMethod|orders|captures?|authorizations|PaymentsApi|OrdersApi|RefundsApi|CheckoutAPI|Client|BraintreeGateway|gateway)\b/,
    examples: { touches: "await stripe.paymentIntents.create({ amount, currency: 'eur' });", file: 'src/billing.js' },
    wholeFile: true,
    level: 'warn',
  },
  {
    id: 'crypto',
    title: 'Key generation, signing and encryption',
    criteria: {
      pass: 'A person has checked the algorithms, key sizes, IV/nonce handling and key storage of the change.',
      fail: 'A change generates keys, signs or verifies, encrypts or decrypts, or derives keys, and no human has acknowledged it.',
    },
    modules:
      /^(node:)?crypto$|^(jose|tweetnacl|libsodium-wrappers|node-forge|crypto-js|@noble\/[\w.-]+|openpgp|node-rsa)$/,
    calls:
      /\b(generateKeyPair(Sync)?|generateKey(Sync)?|createSign|createVerify|createCipheriv|createDecipheriv|createHmac|pbkdf2(Sync)?|scrypt(Sync)?|hkdf(Sync)?|subtle\.\w+|publicEncrypt|privateDecrypt|sign|verify|encrypt|decrypt)\s*\(/,
    examples: { touches: "const { publicKey, privateKey } = generateKeyPairSync('ed25519');", file: 'src/keys.js' },
    level: 'warn',
  },
  {
    id: 'auth',
    title: 'Authentication, sessions, tokens and authorization rules',
    criteria: {
      pass: 'A person has checked who can sign in, how sessions and tokens are issued and checked, and which roles reach what.',
      fail: 'A change issues or verifies tokens, sets up sessions or sign-in strategies, or changes authorization middleware or role checks, and no human has acknowledged it.',
    },
    modules:
      /^(jsonwebtoken|jose|passport(-[\w.-]+)?|express-session|cookie-session|next-auth|@auth\/[\w.-]+|@nestjs\/(passport|jwt)|lucia|openid-client|express-jwt|koa-passport|@fastify\/(jwt|session|passport))$/,
    calls:
      /\b(sign|verify|authenticate|serializeUser|deserializeUser|use|login|logIn|logout|session|isAdmin|hasRole|requireRole|roles?|permissions?|authorize|canActivate)\b/,
    examples: {
      touches: "const token = jwt.sign({ sub: user.id, role: user.role }, key, { expiresIn: '15m' });",
      file: 'src/auth.js',
    },
    level: 'warn',
  },
  {
    id: 'sensitive-data',
    title: 'Stored sensitive data: passwords, identity numbers, cards, health',
    criteria: {
      pass: 'A person has checked where sensitive fields are stored, that they are encrypted or hashed at rest, and who can read them.',
      fail: 'A change adds schema fields or columns for passwords, national identity numbers, card data or health data, and no human has acknowledged it.',
    },
    modules:
      /^(mongoose|sequelize|typeorm|@prisma\/client|drizzle-orm(\/[\w-]+)?|knex|objection|@mikro-orm\/[\w.-]+|kysely)$/,
    calls:
      /\b(password(_?hash)?|passwd|ssn|social_?security(_?number)?|national_?id|tax_?id|credit_?card|card_?number|pan|cvv|cvc|iban|diagnosis|medical(_?record)?|health(_?record|_?data)?|prescription|date_?of_?birth|dob)\w*\b\s*[:(]/i,
    paths: /\.(prisma|sql)$/,
    examples: { touches: 'ssn: { type: String, required: true },', file: 'src/models/user.js' },
    level: 'warn',
  },
  {
    id: 'guard',
    title: 'The guard itself: policy, baseline, reviews, hooks, suppressions, attributes',
    criteria: {
      pass: 'A person has agreed to the change to the security policy, the baseline, the review record, the hooks, or to the suppression it adds.',
      fail: 'A change edits the policy, the baseline or hook scripts, marks files linguist-generated or linguist-vendored in a .gitattributes (the code atoms do not parse those), or adds a ralph-guard-ignore comment, and no human has acknowledged it.',
    },
    paths:
      /^(\.ralphrc(\.(json|ya?ml|js|cjs|mjs|ts))?|ralph\.config\.(js|cjs|mjs|ts)|\.config\/ralphrc(\.\w+)?|\.ralph-baseline\.json|\.husky\/[^/]+|\.?lefthook(-local)?\.(ya?ml|json|toml)|\.claude\/settings(\.local)?\.json)$/,
    // A suppression as it is written (an id, then `--` and the reason), in code: prose that names the comment is not one.
    calls: /ralph-guard-ignore[ \t]+[\w-]+(?:\/[\w-]+)?[ \t]+--/,
    notCallsIn: /\.(?:md|mdx|markdown|txt|rst|adoc)$/i,
    // A .gitattributes line marking files generated or vendored: those the code atoms no longer parse (prepare.ts).
    callsIn: { paths: /(?:^|\/)\.gitattributes$/, calls: /\slinguist-(?:generated|vendored)(?:=(?:true|1))?(?=\s|$)/ },
    examples: { touches: '// ralph-guard-ignore sql-injection -- trusted input', file: 'src/report.js' },
    // A person agrees to every change of the guard. The change that sets it up (no policy at its base, as init's
    // first commit) is not a review case (acknowledgement.ts): there is no guard yet to protect.
    level: 'review',
  },
];

const IMPORT = /\b(?:require\s*\(\s*|import\s*\(\s*|from\s+|import\s+)['"]([^'"\n]+)['"]/g;

export interface AreaHit {
  area: string;
  file: string;
  line: number;
  excerpt: string;
}

/** The areas a file's added lines touch. `lines` are 1-based added line numbers (all lines for a new file). */
export function detectAreas(areas: readonly Area[], file: string, text: string, lines: readonly number[]): AreaHit[] {
  const imports = [...text.matchAll(IMPORT)].map((m) => m[1]!);
  const all = text.split('\n');
  const hits: AreaHit[] = [];
  for (const area of areas) {
    if (area.level === 'off') continue;
    const byPath = (area.paths?.test(file) ?? false) || (area.files?.(file) ?? false);
    const imported = area.modules ? imports.some((i) => area.modules!.test(i)) : false;
    if (area.modules && !imported && !byPath && area.id !== 'guard') continue;
    for (const n of lines) {
      const line = all[n - 1];
      if (line === undefined) continue;
      const isImport = area.modules && [...line.matchAll(IMPORT)].some((m) => area.modules!.test(m[1]!));
      const calls =
        (area.calls && !area.notCallsIn?.test(file) ? area.calls.test(line) : false) ||
        (area.callsIn?.paths.test(file) ? area.callsIn.calls.test(line) : false);
      if (byPath || isImport || calls || (area.wholeFile && imported)) {
        hits.push({ area: area.id, file, line: n, excerpt: line.trim().slice(0, 160) });
        break; // one place per file and area is enough to ask for a review; approve shows the whole diff
      }
    }
    if (byPath && !lines.length) hits.push({ area: area.id, file, line: 1, excerpt: '' });
  }
  return hits;
}

export interface PolicyArea {
  level?: AreaLevel;
  files?: string[];
  tags?: string[];
  title?: string;
}

/** The built-in areas at the policy's levels, plus the policy's own areas (by path glob). */
export function resolveAreas(
  policy: Record<string, PolicyArea> | undefined,
  matcher: (globs: string[]) => (path: string) => boolean,
  baseline?: string,
): Area[] {
  const out = BUILTIN_AREAS.map((a) => ({ ...a, level: policy?.[a.id]?.level ?? a.level }));
  // A baseline the policy moved elsewhere is the guard's as much as the default one.
  if (baseline && baseline !== '.ralph-baseline.json') {
    const guard = out.find((a) => a.id === 'guard')!;
    const path = baseline.replace(/^\.\//, '');
    guard.files = (file) => file === path;
  }
  for (const [id, p] of Object.entries(policy ?? {})) {
    const builtin = out.find((a) => a.id === id);
    const files = p.files?.length ? matcher(p.files) : undefined;
    const tagged = p.tags?.length ? ` (${p.tags.join(', ')})` : '';
    if (builtin) {
      if (files) {
        const own = builtin.files;
        builtin.files = own ? (file) => own(file) || files(file) : files;
      }
      if (p.tags) builtin.tags = p.tags;
      continue;
    }
    out.push({
      id,
      title: p.title ?? `${id}${tagged}`,
      criteria: {
        pass: `A person responsible for ${id}${tagged} has read the change.`,
        fail: `A change touches ${p.files?.join(', ') ?? id}, and no human has acknowledged it.`,
      },
      ...(files ? { files } : {}),
      ...(p.tags ? { tags: p.tags } : {}),
      examples: { touches: '', file: p.files?.[0] ?? '' },
      level: p.level ?? 'review',
    });
  }
  return out;
}
