#!/usr/bin/env node
import { run } from './main.js';

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
