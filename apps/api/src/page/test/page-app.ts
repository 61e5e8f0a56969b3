import { encodeOrder, type Order } from '@orders/model';
import { createOrderStore } from '@orders/store';
import { Hono } from 'hono';
import { createPageRoutes } from '../page-routes.ts';

export type PageTestApp = {
  app: Hono;
  /** Stores an order as ingest would; returns its numeric id. */
  ingest(order: Order): number;
  deadLetter(): void;
};

const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * The page plus the JSON routes it calls, over a real in-memory store: a stand-in for the API's
 * createApp while that is being written, answering in the same shapes.
 */
export function createPageTestApp(): PageTestApp {
  const store = createOrderStore({ maxOrders: 1000, maxBytes: 1e8, maxAgeMs: Infinity });
  let nextId = 1;
  let ingested = 0;
  let deadLettered = 0;

  const app = new Hono();
  app.route('/', createPageRoutes());

  const serve = (found: ReturnType<typeof store.getByUid>) =>
    found === undefined
      ? Response.json(error('not_found', 'no such order'), { status: 404 })
      : new Response(found.body, {
          headers: {
            'content-type': 'application/json',
            etag: found.etag,
            'x-order-id': String(found.id),
          },
        });

  app.get('/orders/recent', (c) => {
    const limit = Number(c.req.query('limit') ?? 20);
    const orders = store.recent(limit).map((stored) => {
      const order = JSON.parse(stored.body.toString()) as Order;
      return {
        id: stored.id,
        order_uid: order.order_uid,
        track_number: order.track_number,
        date_created: order.date_created,
        customer_id: order.customer_id,
        amount: order.payment.amount,
        currency: order.payment.currency,
        items: order.items.length,
      };
    });
    return c.json({ orders });
  });
  app.get('/orders', (c) => {
    const id = c.req.query('id');
    const uid = c.req.query('uid');
    if (id !== undefined) {
      if (!/^[0-9]{1,15}$/.test(id))
        return c.json(error('bad_request', 'id must be an integer'), 400);
      return serve(store.getById(Number(id)));
    }
    if (uid === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(uid)) {
      return c.json(
        error('bad_request', 'order_uid must contain only letters, digits, _ and -'),
        400,
      );
    }
    return serve(store.getByUid(uid));
  });
  app.get('/stats', (c) => {
    const s = store.stats();
    return c.json({
      ingested: { total: ingested, perSecond: null },
      deadLettered: { total: deadLettered },
      store: { count: s.count, bytes: s.bytes },
    });
  });

  return {
    app,
    ingest(order) {
      const { body, etag } = encodeOrder(order);
      const id = nextId++;
      store.put({
        id,
        uid: order.order_uid,
        body,
        etag,
        dateCreated: Date.parse(order.date_created),
      });
      ingested += 1;
      return id;
    },
    deadLetter() {
      deadLettered += 1;
    },
  };
}
