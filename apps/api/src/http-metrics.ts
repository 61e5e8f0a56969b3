import type { Histogram, HistogramChild } from '@orders/metrics';
import { routeLabelOf } from './routes/route.ts';

/**
 * Records one request in `http_request_duration_seconds{route,status}`. The route label is the
 * pattern the handler set (`unmatched` for 404s without a route, `other` for routes that set none,
 * like the page's), never the raw path, so label cardinality stays fixed. Children are cached by
 * (route, status) in nested Maps: a request costs two Map lookups and no allocation.
 */
export function createHttpMetrics(
  histogram: Histogram,
): (request: Request, status: number, start: number) => void {
  const byRoute = new Map<string, Map<number, HistogramChild>>();
  return (request, status, start) => {
    const route = routeLabelOf(request) ?? 'other';
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      byRoute.set(route, byStatus);
    }
    let child = byStatus.get(status);
    if (child === undefined) {
      child = histogram.labels(route, String(status));
      byStatus.set(status, child);
    }
    child.observe((performance.now() - start) / 1000);
  };
}
