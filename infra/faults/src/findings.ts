// What attacks and faults found, and what was done about each: the standing part of
// docs/reliability.md (the run's figures are the rest). Each entry names the test that holds it.

export type Finding = { found: string; fix: string; held: string };

export const FINDINGS: { title: string; entries: Finding[] }[] = [
  {
    title: 'A mostly-invalid backlog, hostile input and secrets (issue 17)',
    entries: [
      {
        found:
          'A fetch that was mostly invalid stopped every partition for good. A batch sent all its dead letters in one Kafka transaction; they keep their key, so one source partition’s letters formed one DLQ record batch, ~230–290 bytes bigger each. A 2 MiB fetch of ~820-byte invalid orders made a 2,649,167-byte batch against the DLQ topic’s 2 MiB max.message.bytes: MESSAGE_TOO_LARGE, treated as transient, retried forever; pauseAll stopped the clean partitions too, and a restart fetched the same batch again.',
        fix: 'The DLQ topic’s max.message.bytes (its own or the broker’s message.max.bytes it inherits) and cleanup.policy are read from its config at start; a batch’s letters are split into sends under that limit within the one transaction (sizes are upper bounds of Kafka’s v2 record encoding, checked against kafkajs’s own encoder). A refusal of the records (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_RECORD) is deterministic: the limit is read again and the letters fitted to half the budget, at most 5 times; a letter that fits in no form is logged with its source offsets and counted (orders_dead_letters_unpublishable_total), never retried forever.',
        held: 'apps/ingest/test/poison-backlog.int.test.ts (3,000 invalid orders on one partition; 10,000 tombstones on one partition), and the poison-backlog phase of this suite (20,000 invalid messages of mixed kinds as a backlog before ingest starts)',
      },
      {
        found:
          'One partition’s failing batch held up the others even without pauseAll: kafkajs fetches again from a broker only once every batch of its previous fetch has returned, so a batch retrying inside eachBatch stalled every partition that broker leads (with one broker, all of them: a new valid order on a clean partition was not served within 15 s).',
        fix: 'A failing batch pauses only its own partition and returns unresolved; the partition is resumed after a capped, jittered backoff (per partition) and its batch delivered again (the upsert absorbs what was written). A group join resumes every partition.',
        held: 'apps/ingest/src/pipeline.test.ts, apps/ingest/test/poison-backlog.int.test.ts (the clean partition’s order is served while the poison is worked through), apps/ingest/test/outage-rebalance.int.test.ts',
      },
      {
        found:
          'Truncation ignored the DLQ topic’s real limit (it cut only above a constant 2 MiB − 64 KiB): with a DLQ topic created elsewhere with the broker default (1 MiB), one 1,048,504-byte invalid message blocked its partition (27 retries in 60 s, /readyz 503).',
        fix: 'Letters are fitted to the limit read from the topic: the value is cut first (x-dlq-value-truncated, -bytes, -sha256), then the original headers are dropped, then the key is replaced by the source coordinates.',
        held: 'apps/ingest/test/poison-backlog.int.test.ts (a 1 MiB DLQ topic made elsewhere), apps/ingest/src/dlq-records.test.ts',
      },
      {
        found:
          'Malformed DATABASE_URL values were printed with the password in the startup error (postgres:/u:PW@h/db, postgresql:u:PW@h/db, postgres//u:PW@h/db, postgres:///u:PW@h/db, a bare password).',
        fix: 'A value that is not a valid postgres URL with a host is shown fully masked, with what is wrong with its shape (never its text); the same rule for every variable that can hold a secret (KAFKA_SSL_KEY shown only as a plain file path).',
        held: 'packages/config/src/secrets.test.ts (every shape of the issue, adversarial ones, seeded random passwords), and the config-abuse cases of this suite',
      },
      {
        found:
          'GET /orders/recent read PostgreSQL on every request whenever memory held fewer orders than the limit (always with MEMORY_ORDERS_LIMIT=0), with no single flight, no cap, no cancellation, and full bodies read for summaries: one client on 64 connections made ingest 1.8× slower and grew RSS 336 → 763 MB.',
        fix: 'One shared query at a time, reused for 1 s, summary columns only (extracted in SQL), cancelled at its 2 s timeout by statement_timeout; memory’s list when it times out.',
        held: 'apps/api/src/recent-reads.test.ts, apps/ingest/test/read-through.int.test.ts',
      },
      {
        found:
          'Dead letters dropped the original message headers (traceparent and all others); bidi controls in order text (evil\\u202Egnp.exe shown as evilexe.png) were drawn as is on the page; /openapi.json and /metrics lacked X-Content-Type-Options: nosniff; with Kafka unreachable at start ingest printed 22 kafkajs error lines.',
        fix: 'Original headers travel as x-dlq-original-<name> (an x-dlq-* header cannot be forged); every order value on the page is isolated and hidden characters are drawn as ⟨U+XXXX⟩ markers; nosniff on every response; one line “kafka not reachable: tried <brokers> for <n> s”.',
        held: 'apps/ingest/src/dlq-records.test.ts, apps/api/src/page/page.browser.test.ts (Chromium, desktop and phone width), apps/api/src/app.test.ts, apps/ingest/test/main.int.test.ts',
      },
    ],
  },
];

export function renderFindings(): string[] {
  const lines = ['## Findings and fixes', ''];
  for (const group of FINDINGS) {
    lines.push(`### ${group.title}`, '');
    for (const f of group.entries) {
      lines.push(`- **Found:** ${f.found}`);
      lines.push(`  **Fix:** ${f.fix}`);
      lines.push(`  **Held by:** ${f.held}`);
      lines.push('');
    }
  }
  return lines;
}
