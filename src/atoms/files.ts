/** File globs shared by atoms. */

/** JavaScript and TypeScript sources, and the script blocks of component files. */
export const CODE_FILES = ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,vue,svelte}'];
