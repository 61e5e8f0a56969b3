// The admin API's part of the OpenAPI document: its paths (each with the bearer security scheme),
// schemas and the 401. buildOpenApi merges them in. Part B's redrive paths go next to these.
import { DEAD_LETTER_REASONS, PROBLEM_CODES } from '@orders/model';
import { PAGE_VALUE_BYTES } from '../admin/dead-letters-list.ts';
import { SUMMARY_HOURS, SUMMARY_REUSE_MS } from '../admin/dead-letters-summary.ts';
import { LIST_DEFAULT, LIST_MAX, PARTITION_MAX, UID_MAX } from '../admin/params.ts';
import { REDRIVE_SCHEMAS, redrivePaths } from './redrive-openapi.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** `components.securitySchemes`: an ADMIN_TOKENS secret as `Authorization: Bearer <secret>`. */
export const ADMIN_SECURITY_SCHEMES: JsonObject = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A secret of ADMIN_TOKENS (name=secret pairs); the name is recorded for audit. Missing or ' +
      'wrong: 401 with `WWW-Authenticate: Bearer` and no detail.',
  },
};

const security: Json = [{ adminToken: [] }];
const ref = (kind: string, name: string): JsonObject => ({ $ref: `#/components/${kind}/${name}` });
const json = (description: string, schema: string): JsonObject => ({
  description,
  content: { 'application/json': { schema: ref('schemas', schema) } },
});

const OFF =
  'Admin API (ADMIN_TOKENS): every admin path answers 404 when no token is configured, and 401 ' +
  'without a valid `Authorization: Bearer` token.';

const instant: JsonObject = {
  type: 'string',
  description:
    'ISO 8601: a date (`2026-12-03`, midnight UTC) or a date-time with a zone ' +
    '(`2026-12-03T14:05:00Z`, `…+02:00`), to the microsecond.',
};

/** The admin paths, for `paths`; `errors(...codes)` gives the shared error responses. */
export function adminPaths(errors: (...codes: string[]) => JsonObject): JsonObject {
  return {
    '/dead-letters': {
      get: {
        operationId: 'listDeadLetters',
        summary: 'Dead letters, newest first',
        description:
          `${OFF} Letters of the ledger newest first by (stored_at, id), keyset-paginated: pass ` +
          '`next` as `cursor` for the following page (null on the last). Filters combine (AND). ' +
          `A page holds at most \`limit\` letters and stops early once it holds ${PAGE_VALUE_BYTES} ` +
          'bytes of values (always at least one letter). Unknown parameters are refused (400).',
        security,
        parameters: [
          {
            name: 'reason',
            in: 'query',
            schema: { type: 'string', enum: [...DEAD_LETTER_REASONS] },
          },
          {
            name: 'problem',
            in: 'query',
            description: 'Letters with at least one problem of this code.',
            schema: { type: 'string', enum: [...PROBLEM_CODES] },
          },
          {
            name: 'uid',
            in: 'query',
            description: 'The order_uid read from the message (any characters but controls).',
            schema: { type: 'string', minLength: 1, maxLength: UID_MAX },
          },
          {
            name: 'partition',
            in: 'query',
            description: 'Source partition.',
            schema: { type: 'integer', minimum: 0, maximum: PARTITION_MAX },
          },
          { name: 'since', in: 'query', description: 'Stored at or after.', schema: instant },
          {
            name: 'until',
            in: 'query',
            description: 'Stored before; not before `since`.',
            schema: instant,
          },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: LIST_MAX, default: LIST_DEFAULT },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'The `next` of the previous page, as it came.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': json('A page of letters.', 'DeadLetterPage'),
          ...errors('400', '401', '404', '405', '503'),
        },
      },
    },
    '/dead-letters/summary': {
      get: {
        operationId: 'summarizeDeadLetters',
        summary: 'Dead letters counted',
        description:
          `${OFF} Counts over the whole ledger by reason and by problem code (letters with at ` +
          `least one problem of it), and per hour for the current hour and the ${SUMMARY_HOURS - 1} ` +
          `before it. One read is reused for ${SUMMARY_REUSE_MS / 1000} s (\`as_of\`).`,
        security,
        responses: {
          '200': json('The counts.', 'DeadLetterSummary'),
          ...errors('400', '401', '404', '405', '503'),
        },
      },
    },
    '/dead-letters/{id}': {
      get: {
        operationId: 'getDeadLetter',
        summary: 'One dead letter, re-validated',
        description:
          `${OFF} The letter with the list's fields plus \`would_pass_now\`: \`true\`, or the ` +
          'problems the running model and KAFKA_MAX_BYTES find in its value today.',
        security,
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          },
        ],
        responses: {
          '200': json('The letter.', 'DeadLetterDetail'),
          ...errors('400', '401', '404', '405', '503'),
        },
      },
    },
    ...redrivePaths(errors),
  };
}

const problem: JsonObject = {
  type: 'object',
  required: ['path', 'code', 'message'],
  properties: {
    path: { type: 'string', description: 'Like `items[0].price`; empty for the whole value.' },
    code: { type: 'string', enum: [...PROBLEM_CODES] },
    message: { type: 'string' },
  },
};

const letterProperties: JsonObject = {
  id: { type: 'integer', minimum: 1 },
  reason: { type: 'string', enum: [...DEAD_LETTER_REASONS] },
  problems: { type: 'array', items: ref('schemas', 'Problem') },
  source: {
    type: 'object',
    required: ['topic', 'partition', 'offset', 'timestamp'],
    properties: {
      topic: { type: 'string' },
      partition: { type: 'integer' },
      offset: { type: 'string', description: 'int64 as decimal text.' },
      timestamp: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  key: {
    description:
      'The message key: its text when it is valid UTF-8, else `{ "base64": … }` (bytes); ' +
      'null when the message had none.',
    oneOf: [
      { type: 'string' },
      { type: 'object', required: ['base64'], properties: { base64: { type: 'string' } } },
      { type: 'null' },
    ],
  },
  uid: {
    type: ['string', 'null'],
    description: 'The order_uid when it could be read from the message.',
  },
  value: {
    type: ['string', 'null'],
    description:
      'The value as text when it is valid UTF-8 (strictly decoded, nothing replaced), else null: ' +
      'then `value_base64` holds its bytes, or the message was a tombstone (`size` null).',
  },
  value_base64: {
    type: 'string',
    description: 'Present only when the value is not valid UTF-8: its bytes in base64.',
  },
  size: { type: ['integer', 'null'], description: "The original value's size in bytes." },
  truncated: {
    type: 'boolean',
    description:
      'The ledger kept only the first bytes of the value (over its cap); a character cut at the ' +
      'end is left out of `value`.',
  },
  stored_at: { type: 'string', format: 'date-time', description: 'To the microsecond.' },
  redrives: {
    type: 'array',
    description:
      'Each redrive run that selected this letter, oldest first, with what became of it.',
    items: ref('schemas', 'LetterRedrive'),
  },
};

const letterRequired: Json = [
  'id',
  'reason',
  'problems',
  'source',
  'key',
  'uid',
  'value',
  'size',
  'truncated',
  'stored_at',
  'redrives',
];

const counts = (keys: readonly string[]): JsonObject => ({
  type: 'object',
  required: [...keys],
  properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' }])),
  additionalProperties: { type: 'integer' },
});

const letterRedrive: JsonObject = {
  type: 'object',
  required: ['run', 'state', 'outcome', 'sent_at'],
  properties: {
    run: { type: 'integer', description: 'The run (GET /dead-letters/redrives/{run}).' },
    state: { type: 'string', enum: ['pending', 'sending', 'sent', 'skipped', 'failed'] },
    skipped: {
      type: 'string',
      enum: ['invalid', 'already_redriven', 'truncated'],
      description: 'Why it was not sent (state `skipped`).',
    },
    outcome: {
      type: ['string', 'null'],
      enum: ['stored', 'superseded', 'dead_lettered', null],
      description:
        'What ingest made of the sent message: stored, superseded by newer content, or ' +
        'dead-lettered again (`letter` is the new letter); null until it is consumed.',
    },
    letter: { type: 'integer', description: 'The new letter (outcome `dead_lettered`).' },
    sent_at: { type: ['string', 'null'], format: 'date-time' },
  },
};

export const ADMIN_SCHEMAS: JsonObject = {
  Problem: problem,
  LetterRedrive: letterRedrive,
  DeadLetter: { type: 'object', required: letterRequired, properties: letterProperties },
  DeadLetterDetail: {
    type: 'object',
    required: [...(letterRequired as string[]), 'would_pass_now'],
    properties: {
      ...letterProperties,
      would_pass_now: {
        description: '`true`, or the problems the value has today.',
        oneOf: [{ const: true }, { type: 'array', items: ref('schemas', 'Problem') }],
      },
    },
  },
  DeadLetterPage: {
    type: 'object',
    required: ['items', 'next'],
    properties: {
      items: { type: 'array', items: ref('schemas', 'DeadLetter') },
      next: { type: ['string', 'null'], description: 'The cursor of the next page.' },
    },
  },
  DeadLetterSummary: {
    type: 'object',
    required: ['as_of', 'total', 'by_reason', 'by_problem', 'per_hour'],
    properties: {
      as_of: { type: 'string', format: 'date-time' },
      total: { type: 'integer' },
      by_reason: counts(DEAD_LETTER_REASONS),
      by_problem: counts(PROBLEM_CODES),
      per_hour: {
        type: 'array',
        description: `${SUMMARY_HOURS} hours, oldest first, empty hours at 0.`,
        items: {
          type: 'object',
          required: ['hour', 'count'],
          properties: {
            hour: { type: 'string', format: 'date-time' },
            count: { type: 'integer' },
          },
        },
      },
    },
  },
  ...REDRIVE_SCHEMAS,
};
