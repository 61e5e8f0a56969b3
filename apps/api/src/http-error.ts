import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

// The API's one error type and the one place that maps it to HTTP. Every error response has the
// body `{ "error": { "code", "message" } }`; no response ever carries a stack trace or an internal
// message (those go to the log).

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  internal: 500,
  unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof ERROR_STATUS;

export type ApiErrorOptions = {
  /** For 405: the methods the route accepts, sent as `Allow`. */
  allow?: string;
  /** For 503: seconds before a retry makes sense, sent as `Retry-After`. */
  retryAfter?: number;
  /** For 401: the challenge, sent as `WWW-Authenticate` (e.g. `Bearer`). */
  authenticate?: string;
  cause?: unknown;
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly allow: string | undefined;
  readonly retryAfter: number | undefined;
  readonly authenticate: string | undefined;

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.allow = options.allow;
    this.retryAfter = options.retryAfter;
    this.authenticate = options.authenticate;
  }

  get status(): (typeof ERROR_STATUS)[ApiErrorCode] {
    return ERROR_STATUS[this.code];
  }
}

/** Minimal logging hook; the ingest app passes its structured logger. */
export type ApiLogger = {
  error(message: string, fields?: Record<string, unknown>): void;
};

const JSON_HEADERS = 'application/json; charset=utf-8';

/** The response for an ApiError (the only way an error becomes HTTP). */
export function errorResponse(error: ApiError): Response {
  const headers: Record<string, string> = {
    'content-type': JSON_HEADERS,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (error.allow !== undefined) headers.allow = error.allow;
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  if (error.authenticate !== undefined) headers['www-authenticate'] = error.authenticate;
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  return new Response(body, { status: error.status, headers });
}

/** Anything thrown → an ApiError: ours as is, hono's HTTPException by status, the rest `internal`. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const code = codeForStatus(error.status);
    return new ApiError(code, code === 'internal' ? 'internal error' : error.message || code);
  }
  return new ApiError('internal', 'internal error', { cause: error });
}

function codeForStatus(status: number): ApiErrorCode {
  for (const [code, value] of Object.entries(ERROR_STATUS)) {
    if (value === status) return code as ApiErrorCode;
  }
  return status >= 400 && status < 500 ? 'bad_request' : 'internal';
}

export function createErrorHandler(logger: ApiLogger): ErrorHandler {
  return (error: Error, c: Context) => {
    const apiError = toApiError(error);
    if (apiError.code === 'internal' || apiError.code === 'unavailable') {
      const cause = apiError.code === 'internal' ? error : apiError.cause;
      logger.error('request failed', {
        code: apiError.code,
        method: c.req.method,
        path: c.req.path.slice(0, 200),
        // The stack goes to the log (never to the client) for bugs; 503s need only the cause.
        error:
          cause instanceof Error
            ? {
                name: cause.name,
                message: cause.message,
                ...(apiError.code === 'internal' ? { stack: cause.stack } : {}),
              }
            : String(cause),
      });
    }
    return errorResponse(apiError);
  };
}

export const notFoundHandler: NotFoundHandler = () =>
  errorResponse(new ApiError('not_found', 'no such route'));

/** 405 for a known route called with a method it does not serve. */
export function methodNotAllowed(allow: string): ApiError {
  return new ApiError('method_not_allowed', `method not allowed; use ${allow}`, { allow });
}
