export { createMemoryTracing, type FinishedSpan, type MemoryTracing } from './memory.ts';
export {
  type OtlpReceiver,
  parseExport,
  type ReceivedSpan,
  startOtlpReceiver,
} from './otlp-receiver.ts';
