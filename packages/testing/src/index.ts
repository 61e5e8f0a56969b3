export { freePort } from './free-port.ts';
export { mulberry32, seededRandom } from './random.ts';
export { waitFor } from './wait-for.ts';
