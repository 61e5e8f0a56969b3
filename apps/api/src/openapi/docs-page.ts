// `/docs`: the OpenAPI document rendered on the server as one small HTML page — routes, parameters,
// responses and schemas. No script, no CDN, nothing fetched: every text is escaped.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function renderDocsPage(doc: JsonObject): string {
  const info = obj(doc.info);
  const paths = obj(doc.paths);
  const components = obj(doc.components);
  const schemas = obj(components.schemas);
  const sharedResponses = obj(components.responses);
  const sharedParams = obj(components.parameters);
  const securitySchemes = obj(components.securitySchemes);

  let body = `<h1>${esc(str(info.title))} <small>${esc(str(info.version))}</small></h1>`;
  body += `<p>${prose(str(info.description))}</p>`;
  body += '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>';
  body += '<nav><h2>Routes</h2><ul>';
  for (const [path, item] of Object.entries(paths)) {
    for (const method of Object.keys(obj(item))) {
      body += `<li><a href="#${anchor(method, path)}"><code>${esc(method.toUpperCase())} ${esc(path)}</code></a> — ${esc(str(obj(obj(item)[method]).summary))}</li>`;
    }
  }
  body += '</ul></nav>';

  for (const [path, item] of Object.entries(paths)) {
    for (const [method, opJson] of Object.entries(obj(item))) {
      const op = obj(opJson);
      body += `<section id="${anchor(method, path)}"><h2><code>${esc(method.toUpperCase())} ${esc(path)}</code></h2>`;
      body += `<p><strong>${esc(str(op.summary))}</strong></p>`;
      if (op.description) body += `<p>${prose(str(op.description))}</p>`;
      for (const requirement of arr(op.security)) {
        for (const name of Object.keys(obj(requirement))) {
          const scheme = obj(securitySchemes[name]);
          body += `<p><strong>Authorization:</strong> <code>${esc(str(scheme.scheme))}</code> (${esc(name)}) — ${prose(str(scheme.description))}</p>`;
        }
      }
      const params = arr(op.parameters).map((p) => resolve(obj(p), sharedParams));
      if (params.length > 0) {
        body +=
          '<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>schema</th><th>about</th></tr>';
        for (const p of params) {
          body += `<tr><td><code>${esc(str(p.name))}</code>${p.required ? ' <em>required</em>' : ''}</td><td>${esc(str(p.in))}</td><td>${schemaSummary(obj(p.schema))}</td><td>${prose(str(p.description))}</td></tr>`;
        }
        body += '</table>';
      }
      body += '<h3>Responses</h3><table><tr><th>status</th><th>meaning</th><th>body</th></tr>';
      for (const [status, resJson] of Object.entries(obj(op.responses))) {
        const res = resolve(obj(resJson), sharedResponses);
        const content = Object.entries(obj(res.content))
          .map(
            ([type, media]) => `<code>${esc(type)}</code> ${schemaSummary(obj(obj(media).schema))}`,
          )
          .join('<br>');
        body += `<tr><td><code>${esc(status)}</code></td><td>${prose(str(res.description))}</td><td>${content}</td></tr>`;
      }
      body += '</table></section>';
    }
  }

  body += '<h2>Schemas</h2>';
  for (const [name, schema] of Object.entries(schemas)) {
    body += `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${schemaBlock(obj(schema))}</section>`;
  }

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(str(info.title))} — API docs</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
code{font:13px ui-monospace,monospace;background:#f2f2f2;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#fafafa}section{border-top:1px solid #eee;margin-top:1.5rem}h1 small{color:#666;font-weight:normal}
ul.props{list-style:none;padding-left:1rem;border-left:2px solid #eee}.c{color:#555}
@media (prefers-color-scheme: dark){body{background:#121212;color:#e6e6e6}code{background:#2a2a2a}th{background:#1e1e1e}th,td{border-color:#333}a{color:#8ab4f8}.c{color:#aaa}}
</style></head><body>${body}</body></html>
`;
}

function schemaBlock(schema: JsonObject, depth = 0): string {
  let out = `<p>${schemaSummary(schema)}${schema.description ? ` — ${prose(str(schema.description))}` : ''}</p>`;
  const props = obj(schema.properties);
  const required = new Set(arr(schema.required).map(str));
  if (Object.keys(props).length > 0 && depth < 6) {
    out += '<ul class="props">';
    for (const [name, propJson] of Object.entries(props)) {
      const prop = obj(propJson);
      out += `<li><code>${esc(name)}</code>${required.has(name) ? ' <em>required</em>' : ''}: ${schemaSummary(prop)}`;
      if (prop.description) out += ` <span class="c">— ${prose(str(prop.description))}</span>`;
      const nested = prop.type === 'array' ? obj(prop.items) : prop;
      if (Object.keys(obj(nested.properties)).length > 0) out += schemaBlock(nested, depth + 1);
      out += '</li>';
    }
    out += '</ul>';
  }
  return out;
}

/** `string, 1..64 chars, pattern …` — a schema in one line. */
function schemaSummary(schema: JsonObject): string {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop() ?? '';
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  const parts: string[] = [];
  const type = Array.isArray(schema.type) ? schema.type.map(str).join(' | ') : str(schema.type);
  if (type) parts.push(esc(type));
  if (schema.type === 'array' && schema.items) parts.push(`of ${schemaSummary(obj(schema.items))}`);
  if ('const' in schema) parts.push(`= <code>${esc(JSON.stringify(schema.const))}</code>`);
  if (Array.isArray(schema.enum)) {
    parts.push(
      `one of ${schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(', ')}`,
    );
  }
  const range = (min: Json | undefined, max: Json | undefined, unit: string) => {
    if (min === undefined && max === undefined) return;
    parts.push(`${min ?? ''}..${max ?? ''}${unit}`);
  };
  range(schema.minLength, schema.maxLength, ' chars');
  range(schema.minimum, schema.maximum, '');
  range(schema.minItems, schema.maxItems, ' items');
  if (typeof schema.pattern === 'string') parts.push(`pattern <code>${esc(schema.pattern)}</code>`);
  if (typeof schema.format === 'string') parts.push(`format ${esc(schema.format)}`);
  if ('default' in schema)
    parts.push(`default <code>${esc(JSON.stringify(schema.default))}</code>`);
  return parts.join(', ') || 'any';
}

function resolve(value: JsonObject, shared: JsonObject): JsonObject {
  if (typeof value.$ref !== 'string') return value;
  const name = value.$ref.split('/').pop() ?? '';
  return obj(shared[name]);
}

function anchor(method: string, path: string): string {
  return `${method}-${path.replace(/[^a-z0-9]+/gi, '-')}`;
}

/** Escaped text with `code` spans. */
function prose(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function obj(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function arr(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function str(value: Json | undefined): string {
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? ''
      : String(value);
}
