import { diffCommand, diffUsage } from './commands/diff.js';
import { explainCommand, explainUsage } from './commands/explain.js';
import { forecastCommand, forecastUsage } from './commands/forecast.js';
import { genCommand, genUsage } from './commands/gen.js';
import { ledgerCommand, ledgerUsage } from './commands/ledger.js';
import { planCommand, planUsage } from './commands/plan.js';
import { schemaCommand, schemaUsage } from './commands/schema.js';
import { validateCommand, validateUsage } from './commands/validate.js';
import { serveCommand, serveUsage } from './commands/serve.js';
import {
  awardsCommand,
  awardsUsage,
  deliveriesCommand,
  deliveriesUsage,
  offersCommand,
  offersUsage,
  plansCommand,
  plansUsage,
  quotesCommand,
  quotesUsage,
  requestsCommand,
  requestsUsage,
} from './commands/client.js';
import {
  exportCommand,
  exportUsage,
  importCommand,
  importUsage,
  tokenCommand,
  tokenUsage,
} from './commands/store.js';
import { UsageError, reportError } from './errors.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';

type Command = (argv: readonly string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  validate: {
    run: validateCommand,
    usage: validateUsage,
    summary: 'check a scenario file; print ok and counts',
  },
  schema: {
    run: schemaCommand,
    usage: schemaUsage,
    summary: 'print the JSON Schema of the scenario format',
  },
  explain: {
    run: explainCommand,
    usage: explainUsage,
    summary: 'why a workload may or may not run on each pool',
  },
  plan: {
    run: planCommand,
    usage: planUsage,
    summary: 'the optimal plan: cost, placements, unmet demand, commitments',
  },
  diff: {
    run: diffCommand,
    usage: diffUsage,
    summary: 'two scenarios side by side: cost, unmet demand, shares by provider, commitments',
  },
  ledger: {
    run: ledgerCommand,
    usage: ledgerUsage,
    summary: 'the books: capital called, flows between parties, take-or-pay burn-down, balances',
  },
  forecast: {
    run: forecastCommand,
    usage: forecastUsage,
    summary: 'GPUs and MW online by provider per quarter, shares, Monte Carlo of slips; --chart',
  },
  serve: {
    run: serveCommand,
    usage: serveUsage,
    summary: 'the HTTP API on the store (PGlite in --data, or DATABASE_URL): /v1, /docs, /metrics',
  },
  import: {
    run: importCommand,
    usage: importUsage,
    summary: 'load a scenario file into the store',
  },
  export: {
    run: exportCommand,
    usage: exportUsage,
    summary: 'write the stored scenario as a scenario file',
  },
  token: {
    run: tokenCommand,
    usage: tokenUsage,
    summary:
      'create an API token (printed once) directly in the store, or with --server over the API',
  },
  requests: {
    run: requestsCommand,
    usage: requestsUsage,
    summary:
      'capacity requests over the API (--server URL, --token T, or STARGATE_SERVER, STARGATE_TOKEN; --json)',
  },
  offers: {
    run: offersCommand,
    usage: offersUsage,
    summary: 'right-of-first-refusal offers; a holder sees and answers only its own (API)',
  },
  quotes: {
    run: quotesCommand,
    usage: quotesUsage,
    summary: "providers' quotes for cleared requests (API)",
  },
  awards: {
    run: awardsCommand,
    usage: awardsUsage,
    summary: 'award a request to a quote: a new pool, rofr cleared (API)',
  },
  deliveries: {
    run: deliveriesCommand,
    usage: deliveriesUsage,
    summary: 'GPUs delivered against procured pools, and the late ones (API)',
  },
  plans: {
    run: plansCommand,
    usage: plansUsage,
    summary: 'stored plans of the current state: create, list, show, diff (API)',
  },
  gen: {
    run: genCommand,
    usage: genUsage,
    summary: 'write a seeded, realistic random scenario (for benchmarks and tests)',
  },
};

export { VERSION } from './version.js';

function help(): string {
  const lines = [
    'stargate — a control plane for AI compute bought under contracts',
    '',
    'Usage:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`),
    '  stargate help | --help | --version',
    '',
    'Exit status: 0 ok; 1 internal error, or the server failed or could not be reached;',
    '2 invalid input (file, command line, or a request the server refused with 4xx).',
    'Docs: README.md and docs/ in the repository.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Runs one command line; returns the exit status. Never throws. */
export async function run(argv: readonly string[], io: Io, debug = false): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.err(help());
      return 2;
    }
    if (name === 'help' || name === '--help' || name === '-h') {
      io.out(help());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(`stargate ${VERSION}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command ${name}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage: ${command.usage}\n  ${command.summary}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io, debug);
  }
}
