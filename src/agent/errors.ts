/**
 * The agent could not read the node at all: the tool is missing, failed, or listed no GPUs.
 * The agent then sends nothing rather than a reading of 0 GPUs, which the server would take
 * for a node whose GPUs all vanished.
 */
export class AgentReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AgentReadError';
  }
}

/** The fields of the error `child_process.execFile` rejects with, all optional. */
interface ExecFailure {
  readonly code?: unknown;
  readonly signal?: unknown;
  readonly stderr?: unknown;
  readonly stdout?: unknown;
  readonly message?: unknown;
}

/**
 * One line a user understands for a failed run of `tool`, from the error `execFile` gave:
 * `nvidia-smi not found on PATH`, `nvidia-smi failed (exit 9): NVIDIA-SMI has failed because…`.
 *
 * @example
 * execFailureMessage('nvidia-smi', Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }))
 * // → 'nvidia-smi not found on PATH'
 */
export function execFailureMessage(tool: string, error: unknown): string {
  const failure: ExecFailure = typeof error === 'object' && error !== null ? error : {};
  const { code, signal } = failure;
  if (code === 'ENOENT') return `${tool} not found on PATH`;
  if (code === 'EACCES') return `${tool} is not executable (EACCES)`;
  // nvidia-smi writes some of its failures ("couldn't communicate with the NVIDIA driver") to
  // stdout, so stdout stands in when stderr is empty.
  const said = firstLine(failure.stderr) ?? firstLine(failure.stdout);
  if (typeof code === 'number') return `${tool} failed (exit ${code})${said ? `: ${said}` : ''}`;
  if (typeof signal === 'string') return `${tool} was killed (${signal})`;
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  return `${tool} failed: ${message}`;
}

/** The first non-blank line of a stream's text, trimmed; undefined when there is none. */
export function firstLine(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
}
