import { ORDER_LIMITS, orderJsonSchema } from '@orders/model';
import { MAX_ORDER_ID } from '../keys.ts';
import { ALLOW, MAX_BODY_BYTES } from '../routes/route.ts';
import { ADMIN_SCHEMAS, ADMIN_SECURITY_SCHEMES, adminPaths } from './admin-openapi.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * The OpenAPI 3.1 document of this API. The Order schema is the model's own JSON Schema
 * (`orderJsonSchema`, generated from the zod schema), so docs and validation cannot drift apart.
 */
export function buildOpenApi(options: { getOrderById: boolean }): JsonObject {
  const schemas: JsonObject = {};
  schemas.Order = toComponent(orderJsonSchema as unknown as JsonObject, 'Order', schemas);
  Object.assign(schemas, OTHER_SCHEMAS, ADMIN_SCHEMAS);

  const uidMax = ORDER_LIMITS.string.order.order_uid.max;
  const uidSchema: JsonObject = {
    type: 'string',
    minLength: 1,
    maxLength: uidMax,
    pattern: '^[A-Za-z0-9_-]+$',
  };
  const idSchema: JsonObject = { type: 'integer', minimum: 1, maximum: MAX_ORDER_ID };
  const errors = (...codes: string[]): JsonObject =>
    Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/responses/${code}` }]));
  const orderResponses: JsonObject = {
    '200': {
      description: "The order's canonical JSON, byte for byte as stored.",
      headers: {
        ETag: { $ref: '#/components/headers/ETag' },
        'X-Order-Id': { $ref: '#/components/headers/X-Order-Id' },
        'Cache-Control': { $ref: '#/components/headers/Cache-Control' },
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
    },
    '304': {
      description: 'Not modified: If-None-Match matched the current ETag.',
      headers: { ETag: { $ref: '#/components/headers/ETag' } },
    },
    ...errors('400', '404', '405', '413', '503'),
  };
  const ifNoneMatch: JsonObject = { $ref: '#/components/parameters/If-None-Match' };

  const simple = (summary: string, description: string, ok: JsonObject, more: JsonObject = {}) => ({
    get: {
      summary,
      description,
      responses: { '200': ok, ...more, ...errors('405', '413') },
    },
  });
  const jsonOk = (description: string, schema: string): JsonObject => ({
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'orders API',
      version: '1.0.0',
      description:
        'Orders consumed from Kafka, validated and stored in PostgreSQL, served from memory with a ' +
        'read-through to PostgreSQL for orders memory does not hold. Every order route answers GET ' +
        `and HEAD; other methods get 405 with \`Allow: ${ALLOW}\`, and a request announcing a body ` +
        `over ${MAX_BODY_BYTES} bytes gets 413. Errors are \`{ "error": { "code", "message" } }\`. ` +
        'The admin routes (`/dead-letters…`) need a bearer token of ADMIN_TOKENS and answer 404 ' +
        'when none is configured.',
    },
    paths: {
      '/orders/{order_uid}': {
        get: {
          operationId: 'getOrderByUid',
          summary: 'An order by order_uid',
          parameters: [
            { name: 'order_uid', in: 'path', required: true, schema: uidSchema },
            ifNoneMatch,
          ],
          responses: orderResponses,
        },
      },
      '/orders': {
        get: {
          operationId: 'getOrderByQuery',
          summary: 'An order by numeric id or by order_uid',
          description: options.getOrderById
            ? '`id` is the numeric id (SERVER_GET_ORDER_BY_ID=1). Give exactly one of `id`, `uid`.'
            : '`id` is read as an order_uid, as the seed service did (SERVER_GET_ORDER_BY_ID=0). ' +
              'Give exactly one of `id`, `uid`.',
          parameters: [
            {
              name: 'id',
              in: 'query',
              description: options.getOrderById
                ? 'Numeric id.'
                : 'An order_uid (seed compatibility).',
              schema: options.getOrderById ? idSchema : uidSchema,
            },
            { name: 'uid', in: 'query', description: 'An order_uid.', schema: uidSchema },
            ifNoneMatch,
          ],
          responses: orderResponses,
        },
      },
      '/orders/recent': {
        get: {
          operationId: 'listRecentOrders',
          summary: 'The newest orders, newest first',
          description:
            'Summaries for the web page. From memory when it holds at least `limit` orders, ' +
            'otherwise from PostgreSQL (header `X-Orders-Source`).',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
          ],
          responses: {
            '200': jsonOk('Newest orders.', 'RecentOrders'),
            ...errors('400', '405', '413'),
          },
        },
      },
      '/orders/search': {
        get: {
          operationId: 'searchOrders',
          summary: 'Stored orders by track number, customer and date, newest first',
          description:
            'Every order in PostgreSQL matching all the given conditions (at least one), newest ' +
            'first by date_created (kept to the millisecond), then id. Pages with `next`: pass it ' +
            'back as `cursor` with the same conditions; null on the last page. Unknown parameters ' +
            'are a 400.',
          parameters: [
            {
              name: 'track_number',
              in: 'query',
              schema: { type: 'string', minLength: 1, maxLength: 64 },
            },
            {
              name: 'customer_id',
              in: 'query',
              schema: { type: 'string', minLength: 1, maxLength: 64 },
            },
            {
              name: 'from',
              in: 'query',
              description:
                'date_created at or after: ISO 8601 date (UTC midnight) or date-time with a zone.',
              schema: { type: 'string' },
            },
            {
              name: 'to',
              in: 'query',
              description: 'date_created before (exclusive); after `from`.',
              schema: { type: 'string' },
            },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: 'cursor',
              in: 'query',
              description: '`next` of the previous page.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': {
              description: 'One page of matches.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['orders', 'next'],
                    properties: {
                      orders: {
                        type: 'array',
                        items: { $ref: '#/components/schemas/OrderSummary' },
                      },
                      next: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
            ...errors('400', '405', '413', '503'),
          },
        },
      },
      '/stats': simple(
        'Live counters',
        'Ingest totals and rate, rejections by reason, dead letters, store size, lookups.',
        jsonOk('Counters.', 'Stats'),
      ),
      '/healthz': simple('Liveness', 'The process answers HTTP.', jsonOk('Alive.', 'Health')),
      '/readyz': simple(
        'Readiness',
        'Ready once memory is restored, the consumer has joined its group and PostgreSQL answers.',
        jsonOk('Ready.', 'Readiness'),
        { '503': jsonOk('Not ready, with the reasons.', 'Readiness') },
      ),
      '/metrics': simple('Prometheus metrics', 'Text exposition format 0.0.4.', {
        description: 'Metrics.',
        content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
      }),
      '/openapi.json': simple('This document', 'OpenAPI 3.1.', {
        description: 'The OpenAPI document.',
        content: { 'application/json': { schema: { type: 'object' } } },
      }),
      '/docs': simple('Readable API docs', 'This document rendered as HTML.', {
        description: 'HTML.',
        content: { 'text/html': { schema: { type: 'string' } } },
      }),
      ...adminPaths(errors),
    },
    components: {
      schemas,
      securitySchemes: ADMIN_SECURITY_SCHEMES,
      parameters: {
        'If-None-Match': {
          name: 'If-None-Match',
          in: 'header',
          description: 'ETags (or `*`) the client holds; weak comparison per RFC 9110.',
          schema: { type: 'string' },
        },
      },
      headers: {
        ETag: { description: 'Strong ETag of the body.', schema: { type: 'string' } },
        'X-Order-Id': { description: 'The numeric id of the order.', schema: idSchema },
        'Cache-Control': {
          description: '`no-cache`: an order can be updated, so revalidate (cheap with ETag).',
          schema: { type: 'string' },
        },
      },
      responses: {
        '400': errorResponse('Malformed key or query (bad id, bad uid, duplicate parameter).'),
        '401': {
          ...errorResponse('No valid bearer token (admin routes); no detail is given.'),
          headers: {
            'WWW-Authenticate': { description: '`Bearer`.', schema: { type: 'string' } },
          },
        },
        '404': errorResponse(
          'No order (or dead letter) with this key, no such route, or the admin API is off.',
        ),
        '405': {
          ...errorResponse('Method not allowed on this route.'),
          headers: { Allow: { description: 'Allowed methods.', schema: { type: 'string' } } },
        },
        '413': errorResponse(`Request body over ${MAX_BODY_BYTES} bytes.`),
        '503': errorResponse(
          'PostgreSQL unavailable while reading an order memory does not hold, or the ledger.',
        ),
      },
    },
  };
}

function errorResponse(description: string): JsonObject {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}

/**
 * A standalone JSON Schema as an OpenAPI component: `$schema` dropped, `$defs` hoisted into
 * `components/schemas` and `$ref`s rewritten (refs are resolved against the OpenAPI document,
 * where `#/$defs/…` would not exist).
 */
export function toComponent(schema: JsonObject, name: string, into: JsonObject): JsonObject {
  const { $schema: _ignored, $defs, ...rest } = schema;
  const rename = (def: string) => `${name}_${def}`;
  const rewrite = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') {
        if (child === '#') out[key] = `#/components/schemas/${name}`;
        else if (child.startsWith('#/$defs/')) {
          out[key] = `#/components/schemas/${rename(child.slice('#/$defs/'.length))}`;
        } else out[key] = child;
      } else out[key] = rewrite(child);
    }
    return out;
  };
  if ($defs && typeof $defs === 'object' && !Array.isArray($defs)) {
    for (const [def, defSchema] of Object.entries($defs)) into[rename(def)] = rewrite(defSchema);
  }
  return rewrite(rest) as JsonObject;
}

const OTHER_SCHEMAS: JsonObject = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: {
            type: 'string',
            enum: [
              'bad_request',
              'unauthorized',
              'not_found',
              'method_not_allowed',
              'payload_too_large',
              'unavailable',
              'internal',
            ],
          },
          message: { type: 'string' },
        },
      },
    },
  },
  OrderSummary: {
    type: 'object',
    required: ['id', 'order_uid', 'items'],
    properties: {
      id: { type: 'integer' },
      order_uid: { type: 'string' },
      track_number: { type: ['string', 'null'] },
      date_created: { type: ['string', 'null'] },
      customer_id: { type: ['string', 'null'] },
      amount: { type: ['integer', 'null'], description: 'payment.amount, minor units.' },
      currency: { type: ['string', 'null'] },
      items: { type: 'integer', description: 'Number of items.' },
    },
  },
  RecentOrders: {
    type: 'object',
    required: ['orders'],
    properties: {
      orders: { type: 'array', items: { $ref: '#/components/schemas/OrderSummary' } },
    },
  },
  Stats: {
    type: 'object',
    properties: {
      at: { type: 'string', format: 'date-time' },
      uptimeSeconds: { type: 'integer' },
      ingested: {
        type: 'object',
        properties: { total: { type: 'integer' }, perSecond: { type: ['number', 'null'] } },
      },
      invalid: {
        type: 'object',
        properties: {
          total: { type: 'integer' },
          byReason: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
      deadLettered: { type: 'object', properties: { total: { type: 'integer' } } },
      store: {
        type: 'object',
        properties: {
          count: { type: 'integer' },
          bytes: { type: 'integer' },
          evicted: { type: 'integer' },
          expired: { type: 'integer' },
        },
      },
      lookups: {
        type: 'object',
        properties: {
          memory: { type: 'integer' },
          database: { type: 'integer' },
          notFound: { type: 'integer' },
          errors: { type: 'integer' },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'reasons'],
    properties: {
      status: { type: 'string', enum: ['ready', 'not_ready'] },
      reasons: { type: 'array', items: { type: 'string' } },
    },
  },
};
