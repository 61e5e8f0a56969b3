// The only way the page builds DOM: elements by name, text as text nodes. Nothing here parses
// HTML, so an order field holding markup is shown literally (and the CSP's Trusted Types rule
// makes any innerHTML assignment throw, should one ever creep in).

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {{ className?: string, attrs?: Record<string, string>, text?: string }} Props
 */

/**
 * Creates an element with optional class, attributes and children; strings become text nodes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) el.setAttribute(name, value);
  if (props.text !== undefined) el.textContent = props.text;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Looks up an element the page's HTML is known to contain.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`page markup lacks #${id}`);
  return el;
}
