import { describe, expect, it } from 'vitest';
import { AgentReadError, execFailureMessage, firstLine } from './errors.js';

/** What child_process.execFile rejects with when the program is not there. */
function enoent(): Error {
  return Object.assign(new Error('spawn nvidia-smi ENOENT'), {
    errno: -2,
    code: 'ENOENT',
    syscall: 'spawn nvidia-smi',
    path: 'nvidia-smi',
    stdout: '',
    stderr: '',
  });
}

/** What execFile rejects with when the program exits non-zero. */
function exited(code: number, stdout: string, stderr: string): Error {
  return Object.assign(new Error(`Command failed: nvidia-smi\n${stderr}`), {
    code,
    killed: false,
    signal: null,
    stdout,
    stderr,
  });
}

describe('execFailureMessage', () => {
  it('says a missing program is not on PATH', () => {
    expect(execFailureMessage('nvidia-smi', enoent())).toBe('nvidia-smi not found on PATH');
  });

  it('gives the exit status and the first line of stderr', () => {
    const error = exited(
      9,
      '',
      '\nNVIDIA-SMI has failed because it could not talk to the driver.\nMake sure…\n',
    );
    expect(execFailureMessage('nvidia-smi', error)).toBe(
      'nvidia-smi failed (exit 9): NVIDIA-SMI has failed because it could not talk to the driver.',
    );
  });

  it('falls back to stdout when stderr is empty, and to the status alone', () => {
    expect(execFailureMessage('nvidia-smi', exited(6, 'No devices were found\n', ''))).toBe(
      'nvidia-smi failed (exit 6): No devices were found',
    );
    expect(execFailureMessage('nvidia-smi', exited(15, '', ''))).toBe(
      'nvidia-smi failed (exit 15)',
    );
  });

  it('names a signal, a permission problem and anything else', () => {
    const killed = Object.assign(new Error('Command failed'), {
      code: null,
      signal: 'SIGTERM',
      killed: true,
    });
    expect(execFailureMessage('nvidia-smi', killed)).toBe('nvidia-smi was killed (SIGTERM)');
    const denied = Object.assign(new Error('spawn EACCES'), { code: 'EACCES' });
    expect(execFailureMessage('nvidia-smi', denied)).toBe('nvidia-smi is not executable (EACCES)');
    expect(execFailureMessage('nvidia-smi', new Error('boom'))).toBe('nvidia-smi failed: boom');
    expect(execFailureMessage('nvidia-smi', 'odd')).toBe('nvidia-smi failed: odd');
  });
});

describe('firstLine and AgentReadError', () => {
  it('finds the first non-blank line', () => {
    expect(firstLine('\n  \n second \nthird')).toBe('second');
    expect(firstLine('')).toBeUndefined();
    expect(firstLine(undefined)).toBeUndefined();
  });

  it('is an Error with its own name and a cause', () => {
    const cause = new Error('inner');
    const error = new AgentReadError('nvidia-smi not found on PATH', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AgentReadError');
    expect(error.cause).toBe(cause);
  });
});
