import { describe, expect, it } from 'vitest';
import { orderJsonSchema } from './json-schema.ts';
import { ORDER_LIMITS } from './limits.ts';
import { sampleOrder } from './testing.ts';

type Node = {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: unknown;
  items?: Node;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
};

const root = orderJsonSchema as unknown as Node & { $schema: string };

describe('orderJsonSchema', () => {
  it('is draft 2020-12 and requires every field of the sample, at every level', () => {
    const sample = sampleOrder();
    expect(root.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(root.required).toEqual(Object.keys(sample));
    expect(root.properties?.delivery?.required).toEqual(Object.keys(sample.delivery));
    expect(root.properties?.payment?.required).toEqual(Object.keys(sample.payment));
    expect(root.properties?.items?.items?.required).toEqual(Object.keys(sample.items[0]));
  });

  it('allows unknown fields at every level (never additionalProperties: false)', () => {
    const objects = [
      root,
      root.properties?.delivery,
      root.properties?.payment,
      root.properties?.items?.items,
    ];
    for (const node of objects) expect(node?.additionalProperties).toEqual({});
  });

  it('carries the limits and formats from the zod schema', () => {
    const p = root.properties ?? {};
    expect(p.order_uid).toMatchObject({
      type: 'string',
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]*$',
    });
    expect(p.items).toMatchObject({
      minItems: ORDER_LIMITS.minItems,
      maxItems: ORDER_LIMITS.maxItems,
    });
    expect(p.date_created).toMatchObject({ type: 'string', format: 'date-time' });
    expect(p.payment?.properties?.amount).toMatchObject({ type: 'integer', minimum: 0 });
    expect(p.items?.items?.properties?.sale).toMatchObject({
      type: 'integer',
      minimum: 0,
      maximum: 100,
    });
  });

  it('serialises to JSON', () => {
    expect(JSON.parse(JSON.stringify(orderJsonSchema))).toEqual(orderJsonSchema);
  });
});
