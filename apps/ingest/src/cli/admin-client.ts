// The admin API over HTTP, for the redrive CLI: each call answers a value, never throws. A 4xx is
// the API refusing (its `{ error: { code, message } }` kept); no answer, a 5xx or a body that is
// not the API's is `unavailable` (worth a retry while watching a run: ingest may be restarting).
import type { RedriveRun } from '@orders/api';

export type Answer<T> =
  | { ok: true; status: number; body: T }
  | {
      ok: false;
      kind: 'refused';
      status: number;
      code: string;
      message: string;
      /** the letters in question (404 / 409 of a redrive), as far as the API lists them */
      ids?: number[];
    }
  | { ok: false; kind: 'unavailable'; message: string };

export type StartBody = {
  ids?: number[];
  filter?: Record<string, string | number>;
  dry_run?: boolean;
  rate?: number;
  again?: boolean;
  include_redriven?: boolean;
};

export type StartAnswer = { run: number; matched: number; would_pass: number };

export type AdminClient = {
  startRun(body: StartBody): Promise<Answer<StartAnswer>>;
  getRun(run: number): Promise<Answer<RedriveRun>>;
  resumeRun(run: number): Promise<Answer<RedriveRun>>;
};

export type AdminClientOptions = {
  url: string;
  token: string;
  /** per request */
  timeoutMs?: number;
};

const MESSAGE_MAX = 500;

/** A server's text made safe for a terminal: no control characters (escape sequences), bounded. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is removed
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length > MESSAGE_MAX ? `${clean.slice(0, MESSAGE_MAX)}…` : clean;
}

function apiError(body: unknown): { code: string; message: string; ids?: number[] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, ids } = error as { code?: unknown; message?: unknown; ids?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  const out: { code: string; message: string; ids?: number[] } = {
    code: printable(code),
    message: printable(message),
  };
  if (Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id)))
    out.ids = ids.slice(0, 100);
  return out;
}

function networkMessage(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause =
    error instanceof Error
      ? (error.cause as { code?: unknown; message?: unknown } | undefined)
      : undefined;
  if (cause && typeof cause.code === 'string') return printable(cause.code);
  if (cause && typeof cause.message === 'string') return printable(cause.message);
  return 'no answer';
}

export function createAdminClient(o: AdminClientOptions): AdminClient {
  const timeoutMs = o.timeoutMs ?? 10_000;

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${o.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${o.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error', // a redirect would carry the token elsewhere
      });
    } catch (error) {
      return { ok: false, kind: 'unavailable', message: `${o.url}: ${networkMessage(error)}` };
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    if (response.status >= 400 && response.status < 500) {
      const error = apiError(parsed);
      return {
        ok: false,
        kind: 'refused',
        status: response.status,
        code: error?.code ?? 'unknown',
        message: error?.message ?? `HTTP ${response.status}`,
        ...(error?.ids ? { ids: error.ids } : {}),
      };
    }
    if (!response.ok || typeof parsed !== 'object' || parsed === null) {
      const error = apiError(parsed);
      const detail = error ? `: ${error.message}` : '';
      return { ok: false, kind: 'unavailable', message: `HTTP ${response.status}${detail}` };
    }
    return { ok: true, status: response.status, body: parsed as T };
  }

  return {
    startRun: (body) => call('POST', '/dead-letters/redrive', body),
    getRun: (run) => call('GET', `/dead-letters/redrives/${run}`),
    resumeRun: (run) => call('POST', `/dead-letters/redrives/${run}/resume`, {}),
  };
}
