// Pure: the (run, letter) a redriven message names in its headers (@orders/kafka REDRIVE_HEADERS).
// Only a claim: the batch's transaction looks the pair up in redrive_letters and takes the version
// position from the letter's ledger row; a pair that is not there makes an ordinary message.
import { type HeaderValue, REDRIVE_HEADERS } from '@orders/kafka';

export type RedriveRef = { run: number; letter: number };

const ID = /^[1-9][0-9]{0,15}$/;

function id(value: HeaderValue): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const text = typeof first === 'string' ? first : first.toString('latin1');
  if (!ID.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The pair named by a message whose `x-redrive-letter` header is `letter`; undefined if malformed. */
export function redriveRef(
  letter: HeaderValue,
  headers: Record<string, HeaderValue>,
): RedriveRef | undefined {
  const l = id(letter);
  const r = id(headers[REDRIVE_HEADERS.run]);
  return l === undefined || r === undefined ? undefined : { run: r, letter: l };
}
