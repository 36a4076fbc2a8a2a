import type * as V8 from 'node:v8';
import { describe, expect, it, vi } from 'vitest';

// V8's flags are the process's: the real call would reach every later test in this worker.
vi.mock('node:v8', async (original) => ({
  ...(await original<typeof V8>()),
  setFlagsFromString: vi.fn(),
}));

const { setFlagsFromString } = await import('node:v8');
const { loadHighs } = await import('./highs-run.js');

describe('loadHighs', () => {
  it('asks V8 for optimised WebAssembly from the first call only for many short solves', async () => {
    await loadHighs({ manyShortSolves: false });
    expect(setFlagsFromString).not.toHaveBeenCalled();
    await loadHighs({ manyShortSolves: true });
    expect(setFlagsFromString).toHaveBeenCalledWith('--wasm-tiering-budget=1');
  });
});
