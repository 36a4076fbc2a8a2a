import type { Problem } from '../scenario/problems.js';

/** An error with an HTTP status, a stable code and, for bad input, every problem found. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: readonly Problem[],
    /** Headers the answer carries, e.g. Retry-After on a 429. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError =>
  new HttpError(404, 'not_found', `${what} not found`);

export const conflict = (message: string, problems?: readonly Problem[]): HttpError =>
  new HttpError(409, 'conflict', message, problems);

export const badRequest = (message: string, problems?: readonly Problem[]): HttpError =>
  new HttpError(400, 'invalid_request', message, problems);
