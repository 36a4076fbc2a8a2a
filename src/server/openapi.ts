import { z } from 'zod';
import type { Route } from './route.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const document = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  // Embedded in OpenAPI, a schema names no dialect of its own.
  return Object.fromEntries(Object.entries(document).filter(([key]) => key !== '$schema'));
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !field.safeParse(undefined).success,
    ...(field.description ? { description: field.description } : {}),
    schema: jsonSchema(field, 'input'),
  }));
}

const ERROR_SCHEMA: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        problems: {
          type: 'array',
          description: 'Every problem found, each with its path (body.window.from)',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

const errorResponse = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * The OpenAPI 3.1 description of the API, derived from the same route table and zod schemas
 * that validate every request.
 */
export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const operation: Json = {
      operationId: operationId(route),
      tags: [route.tag],
      summary: route.summary,
      description: `${route.description ? `${route.description}\n\n` : ''}Roles: ${route.roles.join(', ')}.`,
      security: [{ bearer: [] }],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: !route.body.safeParse(undefined).success,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(route.successStatus ?? 200)]: {
          description: 'Success',
          ...(route.response
            ? { content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } }
            : {}),
        },
        '400': errorResponse('Invalid input: every problem, with its path; nothing was written'),
        '401': errorResponse('No token, or an unknown or revoked one'),
        '403': errorResponse('The token’s role may not call this operation'),
        '404': errorResponse('No such entity, or one the token may not see'),
        ...(route.method === 'GET'
          ? {}
          : {
              '409': errorResponse('Conflicts with the current state (names the term or entity)'),
            }),
      },
    };
    if (route.method === 'POST' && route.idempotent !== false) {
      (operation['parameters'] as Json[]).push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'A retried request with the same key acts once and gets the first response',
        schema: { type: 'string', maxLength: 200 },
      });
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'stargate API',
      version,
      description:
        'Control plane for AI compute bought under contracts: the scenario, plans, procurement with the right of first refusal, deliveries, the audit log. Every route takes a bearer token (stargate token create).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

function operationId(route: Route): string {
  const words = route.path
    .replace(/^\/v1\//, '')
    .split('/')
    .map((part) => (part.startsWith('{') ? `by-${part.slice(1, -1)}` : part));
  return [route.method.toLowerCase(), ...words]
    .join('-')
    .replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
}
