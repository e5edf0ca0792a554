import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An XML element as read: text, a child element, or repeated children. */
export type XmlValue = string | XmlElement | XmlValue[];
export interface XmlElement {
  [name: string]: XmlValue;
}

// Entities and the DOCTYPE stay unprocessed (no entity expansion, no external references); every value is a string,
// so ids like `SpNo` or `MsgId` never lose digits to a number.
const parser = new XMLParser({
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
});

/**
 * The children of the `<xml>` root of a WeCom message, or `undefined` when the text is not such a document. Never throws.
 * WeCom never sends a DOCTYPE (wecom-api §6): one is refused outright rather than parsed, so no entity is ever declared.
 */
export function parseWeComXml(text: string): XmlElement | undefined {
  if (text.trim() === '' || /<!DOCTYPE|<!ENTITY/i.test(text) || XMLValidator.validate(text) !== true) return undefined;
  try {
    const root = (parser.parse(text) as XmlElement).xml;
    return isElement(root) ? root : undefined;
  } catch {
    return undefined;
  }
}

export function isElement(value: XmlValue | undefined): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a child element; a repeated element gives its first occurrence. */
export function xmlText(element: XmlElement | undefined, name: string): string | undefined {
  const value = element?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** A child element that may be single or repeated, always as a list (wecom-api §5c). */
export function xmlList(element: XmlElement | undefined, name: string): XmlElement[] {
  const value = element?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter(isElement);
}

/** Wraps text in CDATA, splitting any `]]>` so the section cannot be closed early. */
export function cdata(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** Builds `<xml>…</xml>` from ordered fields: strings go in CDATA, numbers bare, nested objects as elements. */
export function buildWeComXml(fields: XmlFields): string {
  return `<xml>${buildFields(fields)}</xml>`;
}

export type XmlFields = ReadonlyArray<readonly [string, string | number | XmlFields]>;

function buildFields(fields: XmlFields): string {
  return fields
    .map(([name, value]) => {
      const inner = typeof value === 'string' ? cdata(value) : typeof value === 'number' ? String(value) : buildFields(value);
      return `<${name}>${inner}</${name}>`;
    })
    .join('');
}
