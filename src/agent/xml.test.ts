import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childNamed, parseXml, textAt } from './xml.js';

const H100_XML = readFileSync(
  new URL('./fixtures/nvidia-smi-h100/nvidia-smi-q.xml', import.meta.url),
  'utf8',
);

describe('parseXml', () => {
  it('reads elements, attributes, text and self-closing tags', () => {
    const root = parseXml('<log a="1" b=\'two\'>\n  <x>hello</x>\n  <empty/>\n  <y k="v" /></log>');
    expect(root.name).toBe('log');
    expect(root.attributes).toEqual({ a: '1', b: 'two' });
    expect(root.children.map((child) => child.name)).toEqual(['x', 'empty', 'y']);
    expect(root.children[0]?.text).toBe('hello');
    expect(root.children[1]).toEqual({
      name: 'empty',
      attributes: {},
      children: [],
      text: '',
      line: 3,
    });
    expect(root.children[2]?.attributes).toEqual({ k: 'v' });
  });

  it('decodes the named and numeric entities in text and attributes', () => {
    const root = parseXml(
      '<a t="&quot;q&quot; &amp; &apos;s&apos;">&lt;b&gt; &amp; &#65;&#x42;&#x1F600;</a>',
    );
    expect(root.text).toBe('<b> & AB\u{1F600}');
    expect(root.attributes.t).toBe(`"q" & 's'`);
  });

  it('skips the declaration, the DOCTYPE, comments and processing instructions', () => {
    const root = parseXml(
      '<?xml version="1.0" ?>\n<!DOCTYPE log SYSTEM "x.dtd" [<!ENTITY e "f">]>\n<!-- c -->\n<log><!-- <no/> --><?pi x?><a/></log>\n<!-- after -->\n',
    );
    expect(root.children.map((child) => child.name)).toEqual(['a']);
  });

  it('keeps CDATA as text', () => {
    expect(parseXml('<a>x<![CDATA[<not a tag> & raw]]>y</a>').text).toBe('x<not a tag> & rawy');
  });

  it('reads the real nvidia-smi -q -x document', () => {
    const root = parseXml(H100_XML);
    expect(root.name).toBe('nvidia_smi_log');
    const gpu = childNamed(root, 'gpu');
    expect(gpu?.attributes.id).toBe('00000000:00:06.0');
    expect(gpu?.line).toBe(8);
    expect(gpu && textAt(gpu, 'gpu_power_readings', 'default_power_limit')).toBe('700.00 W');
    expect(gpu && textAt(gpu, 'no_such', 'thing')).toBeUndefined();
    expect(textAt(root, 'driver_version')).toBe('580.159.04');
  });
});

describe('parseXml refuses broken documents, naming the line', () => {
  it('a document cut short (a killed nvidia-smi)', () => {
    const cut = H100_XML.slice(0, H100_XML.indexOf('<pending_blacklist>'));
    expect(() => parseXml(cut)).toThrow(
      /^XML line 207: the document ends inside <retired_pages> opened on line 198$/,
    );
    // Cut inside a closing tag: the tag's name is cut too.
    expect(() => parseXml(H100_XML.slice(0, 4000))).toThrow(
      'XML line 111: </clocks_e> closes <clocks_event_reason_applications_clocks_setting> opened on line 111',
    );
    expect(() => parseXml('<a><b>text')).toThrow(
      'XML line 1: the document ends inside <b> opened on line 1',
    );
    expect(() => parseXml('<a>\n<b x="1')).toThrow('XML line 2: the value of x is never closed');
    expect(() => parseXml('<a>\n<b x="1"')).toThrow(
      'XML line 2: the document ends inside the tag <b',
    );
  });

  it('a closing tag that does not match', () => {
    expect(() => parseXml('<a>\n  <b>\n  </c>\n</a>')).toThrow(
      'XML line 3: </c> closes <b> opened on line 2',
    );
    expect(() => parseXml('<a/></a>')).toThrow('XML line 1: </a> closes nothing');
  });

  it('bad entities, attributes and stray content', () => {
    expect(() => parseXml('<a>\nfish & chips</a>')).toThrow(
      "XML line 2: unknown or unterminated entity '&'",
    );
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow("unknown or unterminated entity '&nbsp;'");
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow('x given twice');
    expect(() => parseXml('<a x=1/>')).toThrow('expected a quoted value for x');
    expect(() => parseXml('<a x="1"y="2"/>')).toThrow("expected a space, '>' or '/>' in <a>");
    expect(() => parseXml('<a/><b/>')).toThrow('a second root element');
    expect(() => parseXml('hello <a/>')).toThrow("text outside the root element: 'hello'");
    expect(() => parseXml('<a>< b/></a>')).toThrow("'<' not followed by a tag name");
    expect(() => parseXml('<a><!-- never')).toThrow('comment never closed');
    expect(() => parseXml('')).toThrow('XML line 1: no root element');
    expect(() => parseXml('<?xml version="1.0" ?>\n')).toThrow('XML line 2: no root element');
  });
});
