// The metric names of the rules and the dashboard against a live ingest: started as a child on a
// topic, database and port of its own, fed a few orders (and one that is not) and a few requests,
// then scraped; and the demo's Prometheus config pointed at it, scraping it with the rules loaded.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, createTestTopic, startNodeChild } from '@orders/infra';
import { renderPrometheusConfig, SCRAPE_JOB } from '@orders/infra/prometheus';
import { createProducer, deleteTopics, withAdmin } from '@orders/kafka';
import { sampleOrder } from '@orders/model/testing';
import { freePort, waitFor } from '@orders/testing';
import { expect, it, onTestFinished } from 'vitest';
import { loadedRules, startTestPrometheus } from './prometheus-child.ts';
import { exposedNames, metricNames } from './promql-names.ts';
import { allPanels, asPromQL, readDashboard, repoRoot } from './sources.ts';

const INGEST_MAIN = join(repoRoot, 'apps/ingest/src/main.ts');
// made by Prometheus itself, never scraped
const PROMETHEUS_OWN = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);
// Agreed with the operating-metrics work and not served yet: their rules and panels stay, this
// list is what is left to reconcile (a name here that /metrics serves is reported below).
const NOT_SERVED_YET = new Set<string>([]);

it('every metric the rules and the dashboard use is in a live /metrics', async () => {
  const [topic, db] = await Promise.all([createTestTopic({ partitions: 2 }), createTestDatabase()]);
  const dlqTopic = `${topic.topic}.dlq`;
  onTestFinished(async () => {
    await db.drop().catch(() => {});
    await topic.delete().catch(() => {});
    await withAdmin({ clientId: 'observability-test', brokers: topic.brokers }, (a) =>
      deleteTopics(a, [dlqTopic]),
    ).catch(() => {});
  });
  const port = await freePort();
  const output: string[] = [];
  const ingest = startNodeChild(INGEST_MAIN, {
    cwd: tmpdir(), // not the repository root: a developer's .env stays out
    env: {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: topic.brokers.join(','),
      KAFKA_TOPIC: topic.topic,
      KAFKA_DLQ_TOPIC: dlqTopic,
      KAFKA_GROUP_ID: `observability-${randomUUID()}`,
      KAFKA_TOPIC_PARTITIONS: '2',
      SERVER_HOST: '127.0.0.1',
      SERVER_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    onOutput: (chunk) => output.push(String(chunk)),
  });
  onTestFinished(async () => {
    ingest.kill('SIGKILL');
    await ingest.exited;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!ingest.running()) throw new Error(`ingest exited:\n${output.join('').slice(-3000)}`);
      return fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: 60_000, what: 'ingest ready' },
  );

  const uids = [1, 2, 3].map((i) => `obs${i}${randomUUID().replaceAll('-', '').slice(0, 12)}`);
  const producer = await createProducer({ clientId: 'observability-test', brokers: topic.brokers });
  try {
    await producer.send(topic.topic, [
      ...uids.map((uid) => ({
        key: uid,
        value: JSON.stringify({ ...sampleOrder(), order_uid: uid }),
      })),
      { key: 'bad', value: 'not json' },
    ]);
  } finally {
    await producer.close();
  }
  for (const uid of uids) {
    await waitFor(async () => (await fetch(`${url}/orders/${uid}`)).status === 200, {
      timeoutMs: 30_000,
      what: `order ${uid} served`,
    });
  }
  await fetch(`${url}/orders/not-there`);

  const served = exposedNames(await (await fetch(`${url}/metrics`)).text());

  const prometheus = await startTestPrometheus(
    renderPrometheusConfig({ targets: [`127.0.0.1:${port}`], intervalSeconds: 1 }),
  );
  onTestFinished(() => prometheus.stop());
  // the demo's config scrapes the service as the job the alerts name
  await waitFor(
    async () => {
      const up = await prometheus.api<{ result: { value: [number, string] }[] }>(
        `query?query=${encodeURIComponent(`up{job="${SCRAPE_JOB}"}`)}`,
      );
      return up.result[0]?.value[1] === '1';
    },
    { timeoutMs: 20_000, what: 'prometheus scraping ingest' },
  );
  const rules = await loadedRules(prometheus);

  const used = new Set([
    ...rules.flatMap((r) => metricNames(r.query)),
    ...allPanels(readDashboard().panels).flatMap((p) =>
      (p.targets ?? []).flatMap((t) => metricNames(asPromQL(t.expr))),
    ),
  ]);
  const scraped = [...used].filter((n) => !n.includes(':') && !PROMETHEUS_OWN.has(n));
  expect(scraped.length).toBeGreaterThan(20);
  const missing = scraped.filter((n) => !served.has(n)).sort();
  const servedNow = [...NOT_SERVED_YET].filter((n) => served.has(n));
  console.log(`metrics used but not served yet: ${missing.join(', ') || 'none'}`);
  expect(servedNow, 'served now: remove from NOT_SERVED_YET').toEqual([]);
  expect(missing.filter((n) => !NOT_SERVED_YET.has(n))).toEqual([]);
});
