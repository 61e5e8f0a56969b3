/**
 * The page's Content-Security-Policy. Scripts, styles, images and fetches come only from this
 * origin and nothing inline runs. Trusted Types with no policy make every string-to-HTML sink
 * (innerHTML, outerHTML, document.write, …) throw, so untrusted order fields can only ever reach
 * the DOM as text even if a future edit tries otherwise.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
