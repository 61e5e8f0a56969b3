// The order's JSON Schema (draft 2020-12) for the API docs, generated from the one zod schema.
import { z } from 'zod';
import { orderSchema } from './order.ts';

export const orderJsonSchema = z.toJSONSchema(orderSchema, { target: 'draft-2020-12' });
