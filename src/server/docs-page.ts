/**
 * The API reference as one HTML page, rendered from the OpenAPI document: every operation with
 * its roles, parameters and request body schema. No scripts, no assets from elsewhere.
 */
export function docsPage(openapi: Record<string, unknown>): string {
  const escape = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const paths = openapi['paths'] as Record<string, Record<string, Record<string, unknown>>>;
  const byTag = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = (operation['tags'] as string[] | undefined)?.[0] ?? 'other';
      const params =
        (operation['parameters'] as {
          name: string;
          in: string;
          required?: boolean;
          description?: string;
        }[]) ?? [];
      const body = (
        operation['requestBody'] as { content: Record<string, { schema: unknown }> } | undefined
      )?.content['application/json']?.schema;
      const html = [
        `<section id="${escape(String(operation['operationId']))}">`,
        `<h3><code class="method ${method}">${method.toUpperCase()}</code> <code>${escape(path)}</code></h3>`,
        `<p>${escape(typeof operation['summary'] === 'string' ? operation['summary'] : '')}</p>`,
        `<p class="roles">${escape(typeof operation['description'] === 'string' ? operation['description'] : '')}</p>`,
        params.length > 0
          ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>about</th></tr>${params
              .map(
                (p) =>
                  `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escape(p.description ?? '')}</td></tr>`,
              )
              .join('')}</table>`
          : '',
        body
          ? `<details><summary>Request body (JSON Schema)</summary><pre>${escape(JSON.stringify(body, null, 2))}</pre></details>`
          : '',
        '</section>',
      ].join('\n');
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const info = openapi['info'] as { title: string; version: string; description: string };
  const sections = [...byTag.entries()]
    .map(([tag, items]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>\n${items.join('\n')}`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)} ${escape(info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code{font:13px ui-monospace,monospace} .method{font-weight:bold;padding:0 .3rem;border-radius:3px;background:#eef}
.post{background:#efe}.put,.patch{background:#ffe}.delete{background:#fee}
section{border-top:1px solid #ddd;padding:.5rem 0} table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px} .roles{color:#555}
</style></head><body>
<h1>${escape(info.title)} <small>${escape(info.version)}</small></h1>
<p>${escape(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors have the shape <code>{ error: { code, message, problems?, requestId } }</code>.</p>
<nav>${[...byTag.keys()].map((tag) => `<a href="#tag-${escape(tag)}">${escape(tag)}</a>`).join(' · ')}</nav>
${sections}
</body></html>
`;
}
