import type { z } from 'zod';

/**
 * A response body as its schema describes it, read-only (the core returns read-only rows).
 * A route that gives `response` types its body with this, so the OpenAPI description and the
 * code that makes the body cannot drift apart without failing the type check.
 */
export type Described<S extends z.ZodType> = DeepReadonly<z.input<S>>;

/**
 * A response body as a client receives it: the schema's output, read-only. The CLI's types of
 * the API's answers are these (src/cli/client/types.ts), never written by hand.
 */
export type Received<S extends z.ZodType> = DeepReadonly<z.output<S>>;

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
