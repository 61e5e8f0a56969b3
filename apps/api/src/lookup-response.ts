import type { StoredOrder } from '@orders/store';
import { ApiError } from './http-error.ts';
import type { Lookup } from './read-through.ts';
import { orderResponse } from './respond.ts';

/** A lookup's answer as HTTP: synchronous for memory hits, a promise only after a memory miss. */
export function answerLookup(
  lookup: Lookup,
  ifNoneMatch: string | null,
): Response | Promise<Response> {
  if (lookup instanceof Promise) return lookup.then((order) => found(order, ifNoneMatch));
  return found(lookup, ifNoneMatch);
}

function found(order: StoredOrder | undefined, ifNoneMatch: string | null): Response {
  if (order === undefined) throw new ApiError('not_found', 'order not found');
  return orderResponse(order, ifNoneMatch);
}
