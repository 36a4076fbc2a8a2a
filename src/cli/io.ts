/** Where a command writes; the real process streams in `bin.ts`, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress output only goes there when it is). */
  readonly errIsTTY: boolean;
}

/** An Io that collects what is written, for tests. */
export function bufferIo(): Io & { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    errIsTTY: false,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
