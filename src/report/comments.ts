/** How to write a suppression comment in a given file. */
export function suppressionComment(path: string, rule: string): string {
  const text = `ralph-guard-ignore ${rule} -- <reason>`;
  // Every install rewrites a lockfile, and a comment with it.
  if (/(?:^|\/)(?:yarn\.lock|package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|bun\.lockb?)$/.test(path))
    return "(a lockfile is rewritten by every install: accept the finding with `ralph-guard baseline`, or set the atom's level in the policy)";
  if (/\.(?:html?|vue|svelte|md|xml)$/i.test(path)) return `<!-- ${text} -->`;
  if (
    /(?:^|\/)(?:\.env[^/]*|Dockerfile|Makefile)$|\.(?:ya?ml|toml|ini|conf|cfg|properties|sh|bash|zsh|py|rb|r|pl|tf|npmrc|gitignore)$/i.test(
      path,
    )
  )
    return `# ${text}`;
  if (/\.json$/i.test(path))
    return `(JSON has no comments: add the finding to the baseline or the atom's "ignore" paths)`;
  return `// ${text}`;
}
