// A Kafka message header as text: kafkajs hands Buffers (or arrays of them for a repeated header).
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** The message's `traceparent` header as a string (the first, if repeated), else undefined. */
export function traceparentOf(
  headers: Record<string, HeaderValue> | undefined,
): string | undefined {
  const value = headers?.[TRACEPARENT];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
