/** One order as the store holds it: the canonical bytes and ETag ready to serve. */
export type StoredOrder = {
  /** The numeric id PostgreSQL assigned to this order_uid (never changes for a uid). */
  id: number;
  /** The order's order_uid. */
  uid: string;
  /** Canonical UTF-8 JSON (encodeOrder), served as is. */
  body: Buffer;
  /** Strong ETag of `body`, quotes included. */
  etag: string;
  /** The order's date_created, epoch ms. */
  dateCreated: number;
  /**
   * The Kafka partition this version was consumed from, when known: an instance drops the entries
   * of partitions it no longer owns (`retainPartitions`). Readers' results need not carry it.
   */
  partition?: number;
};
