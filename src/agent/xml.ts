/**
 * A small, strict reader of machine-written XML such as `nvidia-smi -q -x`: elements,
 * attributes, text, the five named entities and numeric ones, comments, processing
 * instructions, a DOCTYPE and CDATA. No namespaces, no DTD-declared entities: nvidia-smi uses
 * neither, and a dependency for this much would be more code to trust than the reader itself.
 * Strict because truncated output (a killed nvidia-smi) must fail loudly, not read as a
 * document with fewer GPUs.
 */

/** One element: its name, attributes, child elements and its own text (children's excluded). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own character data, entities decoded, untrimmed. */
  readonly text: string;
  /** The line its start tag is on, 1-based, for messages. */
  readonly line: number;
}

interface OpenElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
  readonly line: number;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/**
 * The root element of `text`. Throws an Error naming the line for anything malformed: an
 * unclosed or mismatched tag, an unknown entity, text outside the root, an empty document.
 *
 * @example
 * parseXml('<a x="1"><b>hi &amp; bye</b></a>').children[0]?.text // → 'hi & bye'
 */
export function parseXml(text: string): XmlElement {
  const lineAt = lineCounter(text);
  const fail: Fail = (at, what) => {
    throw new Error(`XML line ${lineAt(at)}: ${what}`);
  };
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let at = 0;

  const close = (element: OpenElement): void => {
    const done: XmlElement = element;
    stack.pop();
    const parent = stack.at(-1);
    if (parent) parent.children.push(done);
    else root = done;
  };

  while (at < text.length) {
    const lt = text.indexOf('<', at);
    const chunk = text.slice(at, lt < 0 ? text.length : lt);
    const parent = stack.at(-1);
    if (parent) parent.text += decodeEntities(chunk, at, fail);
    else if (chunk.trim() !== '') fail(at, `text outside the root element: '${chunk.trim()}'`);
    if (lt < 0) break;
    at = lt;

    if (text.startsWith('<!--', at)) {
      at = skipPast(text, at, '-->', 'comment', fail);
    } else if (text.startsWith('<?', at)) {
      at = skipPast(text, at, '?>', 'processing instruction', fail);
    } else if (text.startsWith('<![CDATA[', at)) {
      const end = skipPast(text, at, ']]>', 'CDATA section', fail);
      if (!parent) fail(at, 'CDATA outside the root element');
      else parent.text += text.slice(at + 9, end - 3);
      at = end;
    } else if (text.startsWith('<!DOCTYPE', at)) {
      if (root || stack.length > 0) fail(at, 'DOCTYPE after the root element began');
      at = skipDoctype(text, at, fail);
    } else if (text.startsWith('</', at)) {
      const name = readName(text, at + 2) ?? fail(at, 'a closing tag without a name');
      const open = stack.at(-1) ?? fail(at, `</${name}> closes nothing`);
      if (open.name !== name) {
        fail(at, `</${name}> closes <${open.name}> opened on line ${open.line}`);
      }
      at = skipSpaces(text, at + 2 + name.length);
      if (text[at] !== '>') fail(at, `expected '>' to end </${name}>`);
      at += 1;
      close(open);
    } else {
      if (root) fail(at, 'a second root element');
      const name = readName(text, at + 1) ?? fail(at, `'<' not followed by a tag name`);
      const element: OpenElement = {
        name,
        attributes: {},
        children: [],
        text: '',
        line: lineAt(at),
      };
      at = readAttributes(text, at + 1 + name.length, element, fail);
      stack.push(element);
      if (text.startsWith('/>', at)) {
        at += 2;
        close(element);
      } else {
        at += 1; // '>'
      }
    }
  }

  const unclosed = stack.at(-1);
  if (unclosed) {
    fail(
      text.length,
      `the document ends inside <${unclosed.name}> opened on line ${unclosed.line}`,
    );
  }
  return root ?? fail(text.length, 'no root element');
}

type Fail = (at: number, what: string) => never;

/** Reads `name="value"` pairs up to `>` or `/>`; returns where that ending begins. */
function readAttributes(text: string, from: number, element: OpenElement, fail: Fail): number {
  let at = from;
  for (;;) {
    const start = at;
    at = skipSpaces(text, at);
    if (text[at] === '>' || text.startsWith('/>', at)) return at;
    if (at >= text.length) return fail(at, `the document ends inside the tag <${element.name}`);
    if (at === start) fail(at, `expected a space, '>' or '/>' in <${element.name}>`);
    const name = readName(text, at) ?? fail(at, `expected an attribute name in <${element.name}>`);
    at = skipSpaces(text, at + name.length);
    if (text[at] !== '=') fail(at, `expected '=' after ${name} in <${element.name}>`);
    at = skipSpaces(text, at + 1);
    const quote = text[at];
    if (quote !== '"' && quote !== "'") fail(at, `expected a quoted value for ${name}`);
    const end = text.indexOf(quote ?? '"', at + 1);
    if (end < 0) fail(at, `the value of ${name} is never closed`);
    if (Object.hasOwn(element.attributes, name)) fail(at, `${name} given twice`);
    const raw = text.slice(at + 1, end);
    if (raw.includes('<')) fail(at, `'<' in the value of ${name}`);
    element.attributes[name] = decodeEntities(raw, at + 1, fail);
    at = end + 1;
  }
}

function decodeEntities(raw: string, offset: number, fail: Fail): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s<]*);?/g, (whole, body: string, index: number) => {
    const decoded = whole.endsWith(';') ? entityValue(body) : undefined;
    return decoded ?? fail(offset + index, `unknown or unterminated entity '${whole}'`);
  });
}

function entityValue(body: string): string | undefined {
  const named = NAMED_ENTITIES[body];
  if (named !== undefined) return named;
  const match = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
  if (!match) return undefined;
  const code = match[1] !== undefined ? parseInt(match[1], 16) : Number(match[2]);
  return code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

function readName(text: string, at: number): string | undefined {
  NAME.lastIndex = at;
  return NAME.exec(text)?.[0];
}

function skipSpaces(text: string, at: number): number {
  let i = at;
  while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i += 1;
  return i;
}

function skipPast(text: string, at: number, end: string, what: string, fail: Fail): number {
  const found = text.indexOf(end, at);
  return found < 0 ? fail(at, `${what} never closed`) : found + end.length;
}

/** Skips `<!DOCTYPE …>`, with an internal subset in brackets if it has one. */
function skipDoctype(text: string, at: number, fail: Fail): number {
  let depth = 0;
  for (let i = at; i < text.length; i += 1) {
    const c = text[i];
    if (c === '[') depth += 1;
    else if (c === ']') depth -= 1;
    else if (c === '>' && depth === 0) return i + 1;
  }
  return fail(at, 'DOCTYPE never closed');
}

/** A function from an offset to its 1-based line, by binary search over the line starts. */
function lineCounter(text: string): (at: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (at) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= at) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}

/** The first child element named `name`. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

/** The trimmed text at a path of child names, e.g. `textAt(gpu, 'remapped_rows', 'remapped_row_pending')`. */
export function textAt(element: XmlElement, ...path: readonly string[]): string | undefined {
  let at: XmlElement | undefined = element;
  for (const name of path) {
    at = at && childNamed(at, name);
  }
  return at?.text.trim();
}
