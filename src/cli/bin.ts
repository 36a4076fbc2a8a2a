#!/usr/bin/env node
import { run } from './main.js';

// A reader that stops early (`stargate plan … | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const status = await run(
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: process.stderr.isTTY,
  },
  process.env.STARGATE_DEBUG === '1',
);
process.exitCode = status;
// For `npm run bench`: the process's peak resident memory, on stderr.
if (process.env.STARGATE_REPORT_PEAK_MEMORY === '1') {
  process.stderr.write(`peak memory: ${process.resourceUsage().maxRSS} KiB\n`);
}
