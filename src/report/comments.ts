/** How to write a suppression comment in a given file. */
export function suppressionComment(path: string, rule: string): string {
  const text = `ralph-guard-ignore ${rule} -- <reason>`;
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
