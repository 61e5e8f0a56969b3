export type { OrderStore, OrderStoreOptions, OrderStoreStats } from './order-store.ts';
export { createOrderStore, RECENT_MAX } from './order-store.ts';
export type { StoredOrder } from './stored-order.ts';
