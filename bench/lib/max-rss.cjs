// Preloaded into a benchmarked command (node --require): reports its peak RSS on stderr as it exits.
process.on('exit', () => process.stderr.write(`\nmax-rss-kb ${process.resourceUsage().maxRSS}\n`))
