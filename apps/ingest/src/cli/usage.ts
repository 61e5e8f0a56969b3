// The redrive CLI's --help text.
import { REDRIVE_RATE } from '@orders/api';

export const TOKEN_VARIABLE = 'ORDERS_ADMIN_TOKEN';
export const DEFAULT_URL = 'http://127.0.0.1:3000';

export const USAGE = `usage: pnpm -C apps/ingest redrive [selection] [options]
  Sends dead letters that pass validation now back to the orders topic, through the admin API,
  and shows the run's progress until it is done. The token is read from ${TOKEN_VARIABLE}.
selection (one of):
  --ids 1,2,3          these letters
  --reason R --problem CODE --uid U --partition N --since ISO --until ISO
                       the letters matching every filter given
  --all                every letter (no filter)
  --run ID             resume or watch run ID instead of starting one
options:
  --dry-run            count what would be sent, send nothing
  --rate N             letters per second (${REDRIVE_RATE.min} to ${REDRIVE_RATE.max}; the API's default ${REDRIVE_RATE.default})
  --again              also send letters redriven before
  --include-redriven   also send letters that a redrive produced
  --url URL            the ingest API (default ${DEFAULT_URL})
  --json               print the final run as JSON
  --outcome-wait S     seconds to wait, once sent, for ingest's outcomes (default 30)
exit codes: 0 done, 1 letters failed or the run was cancelled, 2 bad flag or setting,
  3 refused by the API (its message shown), 4 API unreachable or failing, 130 interrupted`;
