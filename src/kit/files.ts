/** File globs shared by atoms. */

/** JavaScript and TypeScript sources, and the script blocks of component files. */
export const CODE_FILES = ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,vue,svelte}'];

/**
 * Negated globs for tests, specs and fixtures, for atoms whose findings only
 * matter in shipped code (self-signed certificates, sample secrets, cheap
 * hash costs and throw-away tokens are what tests are for).
 */
export const TEST_FILES = [
  '!**/{test,tests,__tests__,__mocks__,spec,specs,fixture,fixtures,__fixtures__,e2e,cypress}/**',
  '!**/*.{test,spec,e2e,cy}.{js,mjs,cjs,jsx,ts,mts,cts,tsx}',
  // In-memory fakes kept next to the real module (unleash's fake-*-store.ts): test doubles, not shipped behaviour.
  '!**/{fakes,__fakes__}/**',
  '!**/{fake-*,*.fake,*.mock}.{js,mjs,cjs,jsx,ts,mts,cts,tsx}',
];
