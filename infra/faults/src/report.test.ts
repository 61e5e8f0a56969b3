import { describe, expect, it } from 'vitest';
import { check } from './check.ts';
import type { FaultRecord } from './inject.ts';
import { renderReport } from './report.ts';
import type { SuiteResult } from './run-suite.ts';
import { readRunSettings } from './settings.ts';

const fault = (kind: string, over: Partial<FaultRecord> = {}): FaultRecord => ({
  kind,
  startedAt: 0,
  repairedAt: 0,
  recoveryMs: 2_000,
  detail: `${kind} happened`,
  redelivered: 0,
  ledgerDuplicates: 0,
  failures: [],
  ...over,
});

function result(faults: FaultRecord[], over: Partial<SuiteResult> = {}): SuiteResult {
  const memory = {
    compared: 1,
    mismatched: 0,
    missing: 0,
    examples: [],
    storeCount: 1,
    rows: 1,
    databaseLookups: 0,
  };
  return {
    settings: readRunSettings({ FAULTS_SEED: '5', FAULTS_SCALE: 'small' }),
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 300_000,
    produceMs: 200_000,
    flowingAtLastFault: true,
    code: undefined,
    kindCounts: {},
    acked: 3,
    sentByFaults: 0,
    failedSends: 0,
    topicMessages: 3,
    faults,
    lagZeroAfterLastFaultMs: 5_000,
    check: check({
      acks: [
        { type: 'valid', key: 'a', partition: 0, offset: '0', canonical: 'A', valueSha: 'x' },
        {
          type: 'invalid',
          key: 'b',
          partition: 0,
          offset: '1',
          kind: 'empty',
          expectReason: 'empty',
          valueSha: '',
        },
      ],
      rows: [{ uid: 'a', body: 'A' }],
      dlq: [{ sourcePartition: 0, sourceOffset: '1', reason: 'empty', valueSha: '' }],
      ledger: [{ sourcePartition: 0, sourceOffset: '1', reason: 'empty', valueSha: '' }],
    }),
    memoryAtEnd: memory,
    memoryAfterRestart: memory,
    exits: [],
    unexpectedExits: [],
    secondExits: [],
    handledByIngest: 3,
    redelivered: 0,
    processes: [],
    aheadOfKafkaAtKills: 12,
    ledgerUnpublished: 0,
    outboxAfterLagZeroMs: 40,
    duplicateCounter: 0,
    poison: undefined,
    poisonError: 'not run here',
    failures: [],
    extra: {},
    ...over,
  };
}

describe('renderReport', () => {
  it('gives every fault its restart, redelivered and ledger figures, and says what bounds a restart', () => {
    const md = renderReport(
      result([
        fault('ingest-kill', { firstBatchMs: 9_400, aheadOfKafka: 12 }),
        fault('pg-restart-fast'),
        fault('ingest-sigterm', { firstBatchMs: 3_100 }),
      ]),
    );
    expect(md).toContain(
      '| 1 | ingest-kill | ingest-kill happened | 2.0 s | 9.4 s | 0 | 0 | pass |',
    );
    expect(md).toContain(
      '| 2 | pg-restart-fast | pg-restart-fast happened | 2.0 s |  | 0 | 0 | pass |',
    );
    expect(md).toContain('the first batch was written again 9.4 s–9.4 s after the kill');
    expect(md).toContain('after the SIGTERM stop, 3.1 s');
    expect(md).toMatch(/bounds it is the dead member's session timeout .*no static membership/);
    expect(md).toContain(
      '| redelivered to the pipeline after crashes (`orders_redelivered_total`, every ingest process) | 0 | 0 | pass |',
    );
    expect(md).toContain('| ledger rows per source offset > 1 | 0 | 0 | pass |');
    expect(md).toContain(
      '| dead-letter topic: invalid messages present at least once | 1 | 1 | pass |',
    );
    expect(md).not.toContain('duplicate deliveries absorbed');
  });

  it('fails a fault row that redelivered, and reports the zombie and the read-only outage', () => {
    const md = renderReport(
      result(
        [
          fault('ingest-kill', { firstBatchMs: 10_000, redelivered: 4 }),
          fault('zombie-member', {
            zombie: {
              zombiePartitions: [2],
              updatesPerBurst: 15,
              invalidPerBurst: 3,
              inFlight: 18,
              stoppedInTransaction: false,
              stoppedMs: 13_600,
              takeoverMs: 12_400,
              writtenWhileStopped: true,
              fencedResumed: 1,
              fencedOther: 0,
              redeliveredResumed: 0,
              resumed: 'rejoined',
              olderContent: 0,
              ledgerNotOnce: 0,
              stopExit: 'code 0',
            },
          }),
          fault('pg-read-only', {
            failures: [
              'pg-read-only: 2 orders dead-lettered as rejected_by_database during a transient outage',
            ],
            readOnly: {
              readOnlyMs: 20_100,
              retries: 26,
              notReadySeen: true,
              rejectedByDatabase: 2,
              rejectedCounter: 2,
              joins: 0,
            },
          }),
        ],
        { redelivered: 4, failures: ['x'] },
      ),
    );
    expect(md).toContain(
      '| 1 | ingest-kill | ingest-kill happened | 2.0 s | 10.0 s | 4 | 0 | **FAIL** |',
    );
    expect(md).toContain('`orders_fenced_batches_total` of the resumed instance: **1**');
    expect(md).toMatch(/\*\*Zombie member\*\* \(fault 2\).*pass$/m);
    expect(md).toMatch(
      /\*\*PostgreSQL read-only\*\* \(fault 3\).*`rejected_by_database` stored from its start to the recovery: 2 .*\*\*FAIL\*\*$/m,
    );
    expect(md).toContain(
      '| redelivered to the pipeline after crashes (`orders_redelivered_total`, every ingest process) | 4 | 0 | **FAIL** |',
    );
  });
});
