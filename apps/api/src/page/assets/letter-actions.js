// The dead-letters view's actions: dry run and redrive of the letter on screen, edit-and-redrive
// (validated first: the 422's problems are shown, marked in the edited text, before anything can
// be sent), and dry run then redrive of every letter the list's filter matches. A started run is
// followed until it is done.

import { byId } from './dom.js';
import { revealHidden } from './hidden-chars.js';
import { obj, renderMarkedText, renderProblems } from './letter-render.js';

/**
 * @typedef {import('./admin-api.js').AdminApi} AdminApi
 * @typedef {import('./admin-api.js').AdminResult} AdminResult
 * @typedef {'idle' | 'loading' | 'found' | 'bad-input' | 'error'} LineState
 */

const POLL_MS = 1000;
const POLL_TRIES = 120;

/** @param {HTMLElement} line @param {LineState} state @param {string} message */
function say(line, state, message) {
  line.dataset.state = state;
  line.textContent = revealHidden(message);
}

/** @param {unknown} n */
const count = (n) => (typeof n === 'number' ? String(n) : '?');

/**
 * @param {{ api: AdminApi, onAuth: (result: AdminResult) => void }} deps
 */
export function createLetterActions({ api, onAuth }) {
  const line = byId('dl-action-state', HTMLElement);
  const dry = byId('dl-dry', HTMLButtonElement);
  const send = byId('dl-send', HTMLButtonElement);
  const again = byId('dl-again', HTMLButtonElement);
  const editOpen = byId('dl-edit-open', HTMLButtonElement);
  const editor = byId('dl-editor', HTMLElement);
  const editText = byId('dl-edit-text', HTMLTextAreaElement);
  const validate = byId('dl-validate', HTMLButtonElement);
  const editSend = byId('dl-edit-send', HTMLButtonElement);
  const editResult = byId('dl-edit-result', HTMLElement);
  const editLine = byId('dl-edit-state', HTMLElement);
  const bulkDry = byId('dl-bulk-dry', HTMLButtonElement);
  const bulkSend = byId('dl-bulk-send', HTMLButtonElement);
  const bulkLine = byId('dl-bulk-state', HTMLElement);

  /** @type {number | null} */
  let letterId = null;
  // Each letter shown, and each filter, takes a number: answers for an older one are dropped.
  let seq = 0;
  let bulkSeq = 0;
  /** @type {Record<string, string>} */
  let filter = {};
  /** @type {unknown} the corrected value that passed validation, as sent then */
  let validated;

  /**
   * A failure: the view handles a refused token and the feature off; the rest is said here.
   * @param {HTMLElement} where
   * @param {AdminResult} result
   */
  function failed(where, result) {
    if (result.kind === 'unauthorized' || result.kind === 'off') onAuth(result);
    else if (result.kind === 'refused' || result.kind === 'not_found')
      say(where, 'bad-input', result.message);
    else if (result.kind !== 'ok') say(where, 'error', result.message);
  }

  /**
   * Follows a run until it is no longer running, saying its progress.
   * @param {HTMLElement} where
   * @param {number} run
   * @param {() => boolean} current
   */
  async function follow(where, run, current) {
    for (let i = 0; i < POLL_TRIES && current(); i++) {
      const result = await api.run(run);
      if (!current()) return;
      if (result.kind !== 'ok') {
        failed(where, result);
        return;
      }
      const r = result.body;
      const p = obj(r.progress);
      const o = obj(r.outcomes);
      const running = r.state === 'running';
      say(
        where,
        running ? 'loading' : 'found',
        `Run ${run} ${running ? 'running' : String(r.state)}: sent ${count(p.sent)}, skipped ${count(p.skipped)}, failed ${count(p.failed)}, pending ${count(p.pending)}; stored ${count(o.stored)}, superseded ${count(o.superseded)}, dead-lettered again ${count(o.dead_lettered)}, awaiting ${count(o.awaiting)}.`,
      );
      if (!running) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * @param {{ dryRun: boolean, again?: boolean }} options
   */
  async function redriveLetter(options) {
    if (letterId === null) return;
    const mine = seq;
    again.hidden = true;
    say(line, 'loading', options.dryRun ? 'Dry run…' : 'Starting the redrive…');
    const result = await api.redrive({
      ids: [letterId],
      dry_run: options.dryRun,
      ...(options.again ? { again: true } : {}),
    });
    if (mine !== seq) return;
    if (result.kind !== 'ok') {
      failed(line, result);
      // already redriven: sending it again is a choice, offered, never made for the operator
      if (result.kind === 'refused' && result.status === 409) again.hidden = false;
      return;
    }
    const b = result.body;
    if (options.dryRun) {
      say(
        line,
        'found',
        `Dry run (run ${count(b.run)}): ${count(b.would_pass)} of ${count(b.matched)} would be sent. Nothing was sent.`,
      );
      return;
    }
    say(
      line,
      'loading',
      `Run ${count(b.run)} started: sending ${count(b.would_pass)} of ${count(b.matched)}.`,
    );
    if (typeof b.run === 'number') await follow(line, b.run, () => mine === seq);
  }

  dry.addEventListener('click', () => void redriveLetter({ dryRun: true }));
  send.addEventListener('click', () => void redriveLetter({ dryRun: false }));
  again.addEventListener('click', () => void redriveLetter({ dryRun: false, again: true }));

  // ---- Edit and redrive --------------------------------------------------------------------------

  editOpen.addEventListener('click', () => {
    editor.hidden = !editor.hidden;
    editOpen.setAttribute('aria-expanded', String(!editor.hidden));
    if (!editor.hidden) editText.focus();
  });

  function unvalidated() {
    validated = undefined;
    editSend.disabled = true;
  }

  editText.addEventListener('input', () => {
    if (validated === undefined) return;
    unvalidated();
    say(editLine, 'idle', 'Edited since the last validation: validate again before sending.');
    editResult.replaceChildren();
  });

  /**
   * The problems, listed and marked in the edited text.
   * @param {import('./admin-api.js').Problem[]} problems
   */
  function showProblems(problems) {
    const { pre, marked } = renderMarkedText(editText.value, problems, 'dl-edit-mark');
    editResult.replaceChildren(renderProblems(problems, marked), pre);
  }

  /** @param {boolean} dryRun */
  async function sendEdit(dryRun) {
    if (letterId === null) return;
    const mine = seq;
    /** @type {unknown} */
    let value;
    if (dryRun) {
      unvalidated();
      try {
        value = JSON.parse(editText.value);
      } catch (error) {
        const message = error instanceof Error ? error.message : 'not JSON';
        say(editLine, 'bad-input', 'Not valid JSON: nothing was sent.');
        showProblems([{ path: '', code: 'not_json', message }]);
        return;
      }
    } else value = validated;
    say(editLine, 'loading', dryRun ? 'Validating…' : 'Sending the corrected value…');
    const result = await api.edit(letterId, { value, dry_run: dryRun });
    if (mine !== seq) return;
    if (result.kind === 'refused' && result.status === 422) {
      unvalidated();
      const problems = result.problems;
      say(
        editLine,
        'bad-input',
        `The corrected value does not pass (${problems.length} problem${problems.length === 1 ? '' : 's'}): nothing was sent.`,
      );
      showProblems(problems);
      return;
    }
    if (result.kind !== 'ok') {
      failed(editLine, result);
      return;
    }
    editResult.replaceChildren();
    if (dryRun) {
      validated = value;
      editSend.disabled = false;
      say(
        editLine,
        'found',
        'The corrected value passes validation. Nothing was sent yet: “Send corrected” sends it.',
      );
      return;
    }
    unvalidated();
    const run = result.body.run;
    say(editLine, 'loading', `Sent as run ${count(run)}.`);
    if (typeof run === 'number') await follow(editLine, run, () => mine === seq);
  }

  validate.addEventListener('click', () => void sendEdit(true));
  editSend.addEventListener('click', () => void sendEdit(false));

  // ---- Every letter the filter matches -----------------------------------------------------------

  /** @type {Record<string, string> | null} the filter the last dry run counted */
  let counted = null;

  async function bulk(/** @type {boolean} */ dryRun) {
    const mine = ++bulkSeq;
    const asked = dryRun ? filter : counted;
    if (asked === null) return;
    bulkSend.hidden = true;
    say(bulkLine, 'loading', dryRun ? 'Counting the matching letters…' : 'Starting the redrive…');
    const result = await api.redrive({ filter: asked, dry_run: dryRun });
    if (mine !== bulkSeq) return;
    if (result.kind !== 'ok') {
      failed(bulkLine, result);
      return;
    }
    const b = result.body;
    if (dryRun) {
      counted = asked;
      say(
        bulkLine,
        'found',
        `Dry run (run ${count(b.run)}): ${count(b.matched)} letters match, ${count(b.would_pass)} would be sent. Nothing was sent.`,
      );
      bulkSend.textContent = `Redrive the ${count(b.would_pass)} that pass`;
      bulkSend.hidden = b.would_pass === 0;
      return;
    }
    counted = null;
    say(
      bulkLine,
      'loading',
      `Run ${count(b.run)} started: sending ${count(b.would_pass)} of ${count(b.matched)}.`,
    );
    if (typeof b.run === 'number') await follow(bulkLine, b.run, () => mine === bulkSeq);
  }

  bulkDry.addEventListener('click', () => void bulk(true));
  bulkSend.addEventListener('click', () => void bulk(false));

  return {
    /** @param {Record<string, unknown>} letter the letter now on screen */
    show(letter) {
      seq++;
      letterId = typeof letter.id === 'number' ? letter.id : null;
      again.hidden = true;
      say(line, 'idle', '');
      say(editLine, 'idle', '');
      editResult.replaceChildren();
      unvalidated();
      const editable = typeof letter.value === 'string';
      editText.value = editable ? String(letter.value) : '';
      editText.disabled = !editable;
      validate.disabled = !editable;
      if (!editable) say(editLine, 'idle', 'This value is not text, so it cannot be edited here.');
      const truncated = letter.truncated === true;
      if (truncated)
        say(
          line,
          'idle',
          'The ledger holds only part of this value: it can be edited, not sent as it is.',
        );
    },
    /** @param {Record<string, string>} next the list's filter */
    filterChanged(next) {
      bulkSeq++;
      filter = next;
      counted = null;
      bulkSend.hidden = true;
      say(bulkLine, 'idle', '');
    },
  };
}
