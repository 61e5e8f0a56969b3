// One classified PostgreSQL error: what the caller does with it follows from `kind`.
//   data      — PostgreSQL refused the rows themselves (SQLSTATE class 22 data exception, 23
//               integrity constraint violation, 54 program limit exceeded): the same rows can
//               never succeed; they are isolated and dead-lettered.
//   transient — anything else (connection loss, timeouts, 40P01 deadlock, 57P01 shutdown, …):
//               retry the batch.

export type DbErrorKind = 'data' | 'transient';

export type DbError = {
  kind: DbErrorKind;
  /** the SQLSTATE, when the error came from the server */
  sqlstate: string | undefined;
  /** the SQLSTATE, or a socket error's code (ECONNREFUSED, …), for logs */
  code: string;
  message: string;
};

const SQLSTATE = /^[0-9A-Z]{5}$/;
const DATA_CLASSES = new Set(['22', '23', '54']);

export function classifyDbError(err: unknown): DbError {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const raw = typeof e?.code === 'string' ? e.code : undefined;
  const sqlstate = raw && SQLSTATE.test(raw) ? raw : undefined;
  return {
    kind: sqlstate && DATA_CLASSES.has(sqlstate.slice(0, 2)) ? 'data' : 'transient',
    sqlstate,
    code: raw ?? 'unknown',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
