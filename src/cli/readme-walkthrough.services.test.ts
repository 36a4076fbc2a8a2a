import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  excerptMismatch,
  linePattern,
  markdownSection,
  walkthroughSteps,
} from '../test-support/readme-excerpt.js';
import type { ServerProcess } from '../test-support/server-process.js';
import { CLI, REPO_ROOT, startServer, stopAllServers } from '../test-support/server-process.js';

/**
 * The README's walk-through, run as a new user runs it: `npm start`'s server on a fresh store,
 * then every shell block in order, in one shell session (what one block exports, the next has),
 * `npx stargate` being the built CLI. What each block prints must be what the README shows
 * after it (see readme-excerpt.ts for the placeholders), so that the README cannot drift from
 * the commands. The README's server is on 127.0.0.1:8080 and its store in ~/.stargate; here
 * they are a free port and a fresh directory, put in their place on both sides.
 */

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const [start, ...steps] = walkthroughSteps(markdownSection(README, '### Walk-through'));
const README_SERVER = 'http://127.0.0.1:8080';
const README_STORE = '/home/you/.stargate';

const home = mkdtempSync(join(tmpdir(), 'stargate-readme-'));
const dataDir = join(home, '.stargate');
const session = join(home, 'session.sh');
writeFileSync(session, '');
const allCommands = steps.map((step) => step.commands).join('\n');
/** The variables the walk-through exports, carried from one block to the next. */
const exported = [
  ...new Set(Array.from(allCommands.matchAll(/^export (\w+)=/gm), (m) => String(m[1]))),
];

let server: ServerProcess | undefined;
let firstToken = '';

afterAll(async () => {
  await stopAllServers();
  rmSync(home, { recursive: true, force: true });
});

/** The README's text with its server and store put in this test's place. */
function localised(text: string): string {
  return text
    .replaceAll(README_SERVER, server?.url ?? README_SERVER)
    .replaceAll(README_STORE, dataDir);
}

/** Runs a block of commands in the walk-through's shell session; stdout and stderr as one. */
async function runBlock(commands: string): Promise<string> {
  const script = localised(commands).replaceAll('sgt_…', firstToken);
  if (script.includes('…')) throw new Error(`a placeholder the test cannot fill in:\n${script}`);
  const { stdout } = await promisify(execFile)(
    'bash',
    [
      '-c',
      [
        // `npx stargate` in a clone is the built CLI; nothing else is run through npx.
        'npx() { if [ "$1" = stargate ]; then shift; node "$STARGATE_CLI" "$@"; else echo "npx $1: not in the walk-through" >&2; return 127; fi; }',
        '. "$WALK_SESSION"',
        'exec 2>&1',
        script,
        `declare -p ${exported.join(' ')} > "$WALK_SESSION" 2>/dev/null || true`,
      ].join('\n'),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...withoutClientSettings(process.env),
        STARGATE_SERVER: server?.url ?? README_SERVER,
        STARGATE_CLI: CLI,
        WALK_SESSION: session,
      },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

/** Fails with what the README shows and what was printed, to mend the README from. */
function expectShown(shown: string | undefined, output: string): void {
  const mismatch = excerptMismatch(localised(shown ?? ''), output);
  if (mismatch !== undefined) throw new Error(mismatch);
}

/** The caller's environment less the settings the walk-through makes itself. */
function withoutClientSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ours = new Set(['STARGATE_TOKEN', 'STARGATE_SERVER', 'STARGATE_DEBUG', ...exported]);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !ours.has(name)));
}

describe('the README walk-through, run as written', () => {
  it('starts with npm start, which serves the example and prints the first token', async () => {
    expect(start?.commands).toBe('npm ci && npm start');
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const [node, bin, ...args] = (pkg.scripts['start'] ?? '').split(' ');
    expect([node, bin, args[0]]).toEqual(['node', 'dist/cli/bin.js', 'serve']);
    expect(README).toContain(`\`npm start\` runs \`stargate ${args.join(' ')}\``);

    server = await startServer({ store: { dataDir }, args: args.slice(1) });
    firstToken = server.firstToken ?? '';
    expect(firstToken).toMatch(/^sgt_/);
    expectShown(start?.output, server.output());
  });

  for (const [index, step] of steps.entries()) {
    const first = (
      step.commands.split('\n').find((line) => !line.startsWith('export')) ?? ''
    ).replace(/\s*\\$/, '');
    it(`block ${index + 2} prints what the README shows: ${first}`, async () => {
      expect(server, 'the server did not start').toBeDefined();
      const output = await runBlock(step.commands);
      expectShown(step.output, output);
    });
  }

  it('keeps the history the README lists, event by event', async () => {
    const sentence =
      /`npx stargate requests show (\d+)` tells the whole story, event by event: ([^]*?)\.\s/.exec(
        README,
      );
    expect(sentence, 'the sentence on requests show').not.toBeNull();
    const named = [...(sentence?.[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    const actions = named.filter((word) => /^[a-z]+\.[a-z]+$/.test(word));
    const decliner = named.find((word) => word.startsWith('holder:')) ?? '';
    const shown = await runBlock(`npx stargate requests show ${sentence?.[1] ?? ''} --json`);
    const history = (JSON.parse(shown) as { history: { action: string; actor: string }[] }).history;
    expect(history.map((event) => event.action).join(', ')).toBe(actions.join(', '));
    expect(history.find((event) => event.action === 'offer.decline')?.actor).toMatch(
      linePattern(decliner),
    );
  });
});
