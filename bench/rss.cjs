// Preloaded (node -r) into every measured command: appends the process's peak
// resident memory (KB) to BENCH_RSS_FILE when it exits, whatever the program.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE)
    require('node:fs').appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
