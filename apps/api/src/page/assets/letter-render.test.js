import { describe, expect, it } from 'vitest';
import { hoursLine, problemsOf, redrivesText } from './letter-render.js';

describe('redrivesText', () => {
  it('says per run what became of the letter', () => {
    expect(redrivesText([])).toBe('never');
    expect(
      redrivesText([
        { run: 1, state: 'sent', outcome: 'stored', sent_at: 'x' },
        { run: 2, state: 'sent', outcome: 'dead_lettered', letter: 77, sent_at: 'x' },
        { run: 3, state: 'sent', outcome: 'superseded', sent_at: 'x' },
        { run: 4, state: 'skipped', skipped: 'already_redriven', outcome: null, sent_at: null },
        { run: 5, state: 'sent', outcome: null, sent_at: 'x' },
        { run: 6, state: 'pending', outcome: null, sent_at: null },
      ]),
    ).toBe(
      'run 1: stored; run 2: dead-lettered again as #77; run 3: superseded; ' +
        'run 4: skipped (already redriven); run 5: sent, awaiting ingest; run 6: pending',
    );
  });
});

describe('problemsOf', () => {
  it('keeps path, code and message as strings, whatever the API held', () => {
    expect(problemsOf([{ path: 'a', code: 'type', message: 'm' }, null, { path: 3 }])).toEqual([
      { path: 'a', code: 'type', message: 'm' },
      { path: '', code: '', message: '' },
      { path: '', code: '', message: '' },
    ]);
    expect(problemsOf('nope')).toEqual([]);
  });
});

describe('hoursLine', () => {
  it('counts the window and names its busiest hour', () => {
    expect(
      hoursLine(
        [
          { hour: '2026-12-03T10:00:00Z', count: 2 },
          { hour: '2026-12-03T11:00:00Z', count: 1500 },
          { hour: '2026-12-03T12:00:00Z', count: 0 },
        ],
        'en-US',
      ),
    ).toBe('Last 3 h: 1,502; busiest hour Dec 3, 2026, 11:00:00 AM UTC: 1,500.');
    expect(hoursLine([{ hour: '2026-12-03T10:00:00Z', count: 0 }], 'en-US')).toBe('Last 1 h: 0.');
    expect(hoursLine(undefined)).toBe('');
  });
});
