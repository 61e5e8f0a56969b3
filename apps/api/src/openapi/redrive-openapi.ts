// The redrive routes' part of the OpenAPI document (admin-openapi.ts spreads it into the admin
// paths and schemas).
import { FILTER_PARAMS } from '../admin/params.ts';
import { REDRIVE_MAX_LETTERS, REDRIVE_RATE } from '../admin/redrive-deps.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const security: Json = [{ adminToken: [] }];
const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, schema: string): JsonObject => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});
const body = (schema: string): JsonObject => ({
  required: true,
  content: { 'application/json': { schema: ref(schema) } },
});
const idParam = (name: string): JsonObject => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
});
const refused = (description: string): JsonObject => json(description, 'RedriveRefusal');

const AUTH = 'Admin API: 404 without ADMIN_TOKENS, 401 without a valid bearer token.';

export function redrivePaths(errors: (...codes: string[]) => JsonObject): JsonObject {
  const runRoute = (operationId: string, summary: string, description: string, method: string) => ({
    [method]: {
      operationId,
      summary,
      description: `${AUTH} ${description}`,
      security,
      parameters: [idParam('run')],
      responses: {
        '200': json('The run.', 'RedriveRun'),
        ...errors('400', '401', '404', '405', '503'),
      },
    },
  });
  return {
    '/dead-letters/redrive': {
      post: {
        operationId: 'startRedrive',
        summary: 'Redrive dead letters to the orders topic',
        description:
          `${AUTH} Selects letters by \`ids\` or by \`filter\` (the list's filters), re-validates ` +
          'each with the running schema and limits and records a run (who: the token name). ' +
          `Unless \`dry_run\`, ingest sends those that pass at \`rate\` per second (default ${REDRIVE_RATE.default}), ` +
          'each at most once per run, across restarts. A redriven message carries ' +
          "`x-redrive-letter` and `x-redrive-run`; ingest versions it by the letter's original " +
          'source position, so it never overwrites newer content (then recorded superseded). ' +
          'Letters named by id already redriven (stored or superseded, or in a running run): 409 ' +
          'unless `again`; letters a redrive produced: 409 unless `include_redriven` (a filter ' +
          `skips both instead). More than ${REDRIVE_MAX_LETTERS} letters: 422.`,
        security,
        requestBody: body('RedriveRequest'),
        responses: {
          '202': json(
            'The run, recorded; progress at /dead-letters/redrives/{run}.',
            'RedriveStarted',
          ),
          '404': refused(
            'Letters named by id that do not exist (their ids), or the admin API is off.',
          ),
          '409': refused('Letters already redriven or produced by a redrive (their ids).'),
          '422': refused('Too many letters selected.'),
          ...errors('400', '401', '405', '413', '503'),
        },
      },
    },
    '/dead-letters/{id}/redrive': {
      post: {
        operationId: 'editAndRedrive',
        summary: 'Edit one letter and redrive it',
        description:
          `${AUTH} \`value\` is the corrected order as JSON. It is validated first: invalid → 422 ` +
          'with the problems, nothing sent. Valid: a run of this one letter sends it in place of ' +
          "the letter's value (key and headers as the letter had them). Already redriven: 409 " +
          'unless `again`.',
        security,
        parameters: [idParam('id')],
        requestBody: body('RedriveEdit'),
        responses: {
          '202': json('The run.', 'RedriveStarted'),
          '404': refused('No letter with this id.'),
          '409': refused('The letter was redriven already.'),
          '422': refused('The corrected value does not pass (`reason`, `problems`).'),
          ...errors('400', '401', '405', '413', '503'),
        },
      },
    },
    '/dead-letters/redrives/{run}': runRoute(
      'getRedrive',
      'A redrive run: progress and audit record',
      'Progress (pending, sent, skipped, failed), what ingest made of the sent letters (stored, ' +
        'superseded, dead-lettered again, awaiting) and the audit record (who, when, what was ' +
        'asked, events).',
      'get',
    ),
    '/dead-letters/redrives/{run}/resume': runRoute(
      'resumeRedrive',
      'Resume a redrive run',
      'A cancelled run goes on where it stopped; a running one is looked at now; a done one is shown as it is.',
      'post',
    ),
    '/dead-letters/redrives/{run}/cancel': runRoute(
      'cancelRedrive',
      'Cancel a redrive run',
      'Letters not sent yet are not sent; what is on its way is not called back.',
      'post',
    ),
  };
}

const flag = (description: string): JsonObject => ({
  type: 'boolean',
  default: false,
  description,
});

export const REDRIVE_SCHEMAS: JsonObject = {
  RedriveRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'Exactly one of `ids` and `filter`.',
    properties: {
      ids: {
        type: 'array',
        minItems: 1,
        maxItems: REDRIVE_MAX_LETTERS,
        items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      },
      filter: {
        type: 'object',
        additionalProperties: false,
        description: "The list's filters, same rules (`partition` a string or an integer).",
        properties: Object.fromEntries(
          FILTER_PARAMS.map((p) => [p, { type: ['string', 'integer'] }]),
        ),
      },
      dry_run: flag('Count only: the run is recorded done, nothing is sent.'),
      rate: {
        type: 'integer',
        minimum: REDRIVE_RATE.min,
        maximum: REDRIVE_RATE.max,
        default: REDRIVE_RATE.default,
        description: 'Letters per second.',
      },
      again: flag('Also send letters already redriven (stored or superseded).'),
      include_redriven: flag('Also send letters a redrive produced (failed again).'),
    },
  },
  RedriveEdit: {
    type: 'object',
    required: ['value'],
    additionalProperties: false,
    properties: {
      value: { description: 'The corrected order, as JSON.' },
      dry_run: flag('Validate only.'),
      again: flag('Send even if the letter was redriven already.'),
    },
  },
  RedriveStarted: {
    type: 'object',
    required: ['run', 'matched', 'would_pass', 'skipped'],
    properties: {
      run: { type: 'integer' },
      matched: { type: 'integer', description: 'Letters selected.' },
      would_pass: { type: 'integer', description: 'Of them, those that pass now (sent).' },
      skipped: { type: 'integer', description: 'Invalid, cut, or already redriven.' },
    },
  },
  RedriveRefusal: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: ['not_found', 'already_redriven', 'too_many', 'invalid'] },
          message: { type: 'string' },
          ids: { type: 'array', items: { type: 'integer' }, description: 'At most 100.' },
          reason: { type: 'string' },
          problems: { type: 'array', items: { $ref: '#/components/schemas/Problem' } },
        },
      },
    },
  },
  RedriveRun: {
    type: 'object',
    required: [
      'run',
      'kind',
      'state',
      'dry_run',
      'created_by',
      'created_at',
      'started_at',
      'finished_at',
      'request',
      'matched',
      'would_pass',
      'progress',
      'outcomes',
      'skipped_by_reason',
      'events',
    ],
    properties: {
      run: { type: 'integer' },
      kind: { type: 'string', enum: ['ids', 'filter', 'edit'] },
      state: { type: 'string', enum: ['running', 'done', 'cancelled'] },
      dry_run: { type: 'boolean' },
      created_by: { type: 'string', description: "The admin token's name." },
      created_at: { type: 'string', format: 'date-time' },
      started_at: { type: ['string', 'null'], format: 'date-time' },
      finished_at: { type: ['string', 'null'], format: 'date-time' },
      request: {
        type: 'object',
        description: 'ids / filter / letter, rate, again, include_redriven.',
      },
      matched: { type: 'integer' },
      would_pass: { type: 'integer' },
      progress: {
        type: 'object',
        required: ['pending', 'sent', 'skipped', 'failed'],
        properties: Object.fromEntries(
          ['pending', 'sent', 'skipped', 'failed'].map((k) => [k, { type: 'integer' }]),
        ),
      },
      outcomes: {
        type: 'object',
        required: ['stored', 'superseded', 'dead_lettered', 'awaiting'],
        properties: Object.fromEntries(
          ['stored', 'superseded', 'dead_lettered', 'awaiting'].map((k) => [
            k,
            { type: 'integer' },
          ]),
        ),
      },
      skipped_by_reason: { type: 'object', additionalProperties: { type: 'integer' } },
      events: { type: 'array', items: { type: 'object' } },
    },
  },
};
