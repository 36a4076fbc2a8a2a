import { UsageError, reportError } from './errors.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';
import {
  agentUsage,
  clausesUsage,
  diffUsage,
  exportUsage,
  importUsage,
  serveUsage,
  tokenUsage,
  explainUsage,
  forecastUsage,
  genUsage,
  ledgerUsage,
  planUsage,
  riskUsage,
  schemaUsage,
  validateUsage,
  valueUsage,
} from './usage.js';

type Command = (argv: readonly string[], io: Io) => Promise<number>;

/** A usage line, or for the API's commands a promise of it: theirs come from their verb tables. */
type Usage = string | (() => Promise<string>);

/**
 * The commands. Each module is loaded only when its command runs (`load`), so a command
 * pays for no other command's libraries (`plan` loads neither yaml nor HiGHS on its fast
 * path) and `help` loads only the API commands' module, whose verb tables give their usage
 * lines. The other usage lines live in `usage.ts` for the same reason.
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; usage: Usage; summary: string }> = {
  validate: {
    load: () => import('./commands/validate.js').then((m) => m.validateCommand),
    usage: validateUsage,
    summary: 'check a scenario file; print ok and counts',
  },
  schema: {
    load: () => import('./commands/schema.js').then((m) => m.schemaCommand),
    usage: schemaUsage,
    summary: 'print the JSON Schema of the scenario format',
  },
  explain: {
    load: () => import('./commands/explain.js').then((m) => m.explainCommand),
    usage: explainUsage,
    summary: 'why a workload may or may not run on each pool',
  },
  plan: {
    load: () => import('./commands/plan.js').then((m) => m.planCommand),
    usage: planUsage,
    summary: 'the plan: cost, placements, unmet demand, commitments, with its proven gap',
  },
  diff: {
    load: () => import('./commands/diff.js').then((m) => m.diffCommand),
    usage: diffUsage,
    summary:
      'two scenarios side by side, or one and a change (--patch: what if): cost, unmet demand, shares by provider, commitments',
  },
  clauses: {
    load: () => import('./commands/clauses.js').then((m) => m.clausesCommand),
    usage: clausesUsage,
    summary:
      'what each contract term that shapes placement costs, alone and in pairs: re-solved without it, with an interval from the proven bounds',
  },
  value: {
    load: () => import('./commands/value.js').then((m) => m.valueCommand),
    usage: valueUsage,
    summary:
      'what capacity is worth: one more GPU per pool and month (LP dual), each building a month earlier or later (re-planned)',
  },
  ledger: {
    load: () => import('./commands/ledger.js').then((m) => m.ledgerCommand),
    usage: ledgerUsage,
    summary: 'the books: capital called, flows between parties, take-or-pay burn-down, balances',
  },
  forecast: {
    load: () => import('./commands/forecast.js').then((m) => m.forecastCommand),
    usage: forecastUsage,
    summary: 'GPUs and MW online by provider per quarter, shares, Monte Carlo of slips; --chart',
  },
  risk: {
    load: () => import('./commands/risk.js').then((m) => m.riskCommand),
    usage: riskUsage,
    summary:
      "a plan under construction slips (the forecast's draws): expected cost, p50/p90 unmet GPU-months, costliest slips",
  },
  serve: {
    load: () => import('./commands/serve.js').then((m) => m.serveCommand),
    usage: serveUsage,
    summary: 'the HTTP API on the store (PGlite in --data, or DATABASE_URL): /v1, /docs, /metrics',
  },
  import: {
    load: () => import('./commands/store.js').then((m) => m.importCommand),
    usage: importUsage,
    summary: 'load a scenario file into the store',
  },
  export: {
    load: () => import('./commands/export.js').then((m) => m.exportCommand),
    usage: exportUsage,
    summary:
      'write the stored scenario as a scenario file; kueue: a month of a plan as Kueue quotas (ResourceFlavors, ClusterQueues, LocalQueues); skypilot: a workload as a SkyPilot task',
  },
  token: {
    load: () => import('./commands/store.js').then((m) => m.tokenCommand),
    usage: tokenUsage,
    summary:
      'create an API token (printed once) directly in the store, or with --server over the API',
  },
  requests: {
    load: () => import('./commands/client.js').then((m) => m.requestsCommand),
    usage: () => import('./commands/client.js').then((m) => m.requestsUsage),
    summary:
      'capacity requests over the API (--server URL, --token T, or STARGATE_SERVER, STARGATE_TOKEN; --json)',
  },
  offers: {
    load: () => import('./commands/client.js').then((m) => m.offersCommand),
    usage: () => import('./commands/client.js').then((m) => m.offersUsage),
    summary: 'right-of-first-refusal offers; a holder sees and answers only its own (API)',
  },
  quotes: {
    load: () => import('./commands/client.js').then((m) => m.quotesCommand),
    usage: () => import('./commands/client.js').then((m) => m.quotesUsage),
    summary: "providers' quotes for cleared requests (API)",
  },
  awards: {
    load: () => import('./commands/client.js').then((m) => m.awardsCommand),
    usage: () => import('./commands/client.js').then((m) => m.awardsUsage),
    summary: 'award a request to a quote: a new pool, rofr cleared (API)',
  },
  deliveries: {
    load: () => import('./commands/client.js').then((m) => m.deliveriesCommand),
    usage: () => import('./commands/client.js').then((m) => m.deliveriesUsage),
    summary: 'GPUs delivered against procured pools, and the late ones (API)',
  },
  plans: {
    load: () => import('./commands/client.js').then((m) => m.plansCommand),
    usage: () => import('./commands/client.js').then((m) => m.plansUsage),
    summary: 'stored plans of the current state: create, list, show, diff (API)',
  },
  agent: {
    load: () => import('./commands/agent.js').then((m) => m.agentCommand),
    usage: agentUsage,
    summary:
      "on a GPU node: report its GPUs (nvidia-smi or a DCGM exporter) to the server every interval; an operator token for the node's site",
  },
  inventory: {
    load: () => import('./commands/client.js').then((m) => m.inventoryCommand),
    usage: () => import('./commands/client.js').then((m) => m.inventoryUsage),
    summary: 'GPUs reporting, healthy and unhealthy per site and pool, stale nodes (API)',
  },
  gen: {
    load: () => import('./commands/gen.js').then((m) => m.genCommand),
    usage: genUsage,
    summary: 'write a seeded, realistic random scenario (for benchmarks and tests)',
  },
};

export { VERSION } from './version.js';

const usageOf = (usage: Usage): Promise<string> =>
  typeof usage === 'string' ? Promise.resolve(usage) : usage();

async function help(): Promise<string> {
  const commands = await Promise.all(
    Object.values(COMMANDS).map(async (c) => `  ${await usageOf(c.usage)}\n      ${c.summary}`),
  );
  const lines = [
    'stargate — a control plane for AI compute bought under contracts',
    '',
    'Usage:',
    ...commands,
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
      io.err(await help());
      return 2;
    }
    if (name === 'help' || name === '--help' || name === '-h') {
      io.out(await help());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(`stargate ${VERSION}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command ${name}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage: ${await usageOf(command.usage)}\n  ${command.summary}\n`);
      return 0;
    }
    const runCommand = await command.load();
    return await runCommand(rest, io);
  } catch (error) {
    return reportError(error, io, debug);
  }
}
