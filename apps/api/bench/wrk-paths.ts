// `node bench/wrk-paths.ts <uid|id|query_uid> [orders]`: the request paths of one lookup route for
// the benchmark's orders (bench/fixtures.ts, same keys as bench/server.ts holds), one a line, for
// bench/wrk-random.lua.
import { benchUids } from './fixtures.ts';

const [route = 'uid', countText = '20000'] = process.argv.slice(2);
const uids = benchUids(Number(countText));
const paths: Record<string, (uid: string, i: number) => string> = {
  uid: (uid) => `/orders/${uid}`,
  id: (_, i) => `/orders?id=${i + 1}`,
  query_uid: (uid) => `/orders?uid=${uid}`,
};
const path = paths[route];
if (path === undefined) throw new Error(`route is uid, id or query_uid, not ${route}`);
process.stdout.write(`${uids.map(path).join('\n')}\n`);
