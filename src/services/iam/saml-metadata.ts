// SAML metadata: well-formed XML whose root element is an EntityDescriptor
// (urn:oasis:names:tc:SAML:2.0:metadata). A minimal, non-validating reader: element nesting,
// attributes, comments, CDATA and processing instructions; DTDs are refused (no entity
// expansion). AWS answers unparsable metadata with InvalidInput "Could not parse metadata".
// Used by saml-providers.ts (CreateSAMLProvider, UpdateSAMLProvider).
import { invalidInput } from './common.js';
import { isoNow } from './entities.js';

interface RootElement { name: string; attributes: Record<string, string> }

/** The root element of a well-formed XML document, or undefined when it is not well-formed. */
export function readXmlRoot(xml: string): RootElement | undefined {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: string[] = [];
  let root: RootElement | undefined;
  let closedRoot = false;
  const NAME = /[A-Za-z_][\w.:-]*/y;
  const ATTR = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') return undefined;
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) return undefined;
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (xml.startsWith('<!', i)) {
      return undefined;
    } else if (xml.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      if (!m || stack.pop() !== m[0]) return undefined;
      i = NAME.lastIndex;
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (xml[i] !== '>') return undefined;
      i++;
      if (stack.length === 0) closedRoot = true;
    } else {
      if (closedRoot) return undefined;
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) return undefined;
      i = NAME.lastIndex;
      const attributes: Record<string, string> = {};
      for (;;) {
        ATTR.lastIndex = i;
        const a = ATTR.exec(xml);
        if (!a) break;
        if (a[1] in attributes) return undefined;
        attributes[a[1]] = a[3] ?? a[4];
        i = ATTR.lastIndex;
      }
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (stack.length === 0 && root === undefined) root = { name: m[0], attributes };
      if (xml.startsWith('/>', i)) {
        i += 2;
        if (stack.length === 0) closedRoot = true;
      } else if (xml[i] === '>') {
        i++;
        stack.push(m[0]);
      } else {
        return undefined;
      }
    }
  }
  return stack.length === 0 && closedRoot ? root : undefined;
}

interface SamlMetadata { entityId: string; validUntil?: string }

export function parseSamlMetadata(xml: string): SamlMetadata {
  const root = readXmlRoot(xml);
  const local = root?.name.slice(root.name.indexOf(':') + 1);
  const entityId = root?.attributes.entityID;
  if (!root || local !== 'EntityDescriptor' || !entityId) throw invalidInput('Could not parse metadata');
  const out: SamlMetadata = { entityId };
  const vu = root.attributes.validUntil;
  if (vu !== undefined) {
    const t = Date.parse(vu);
    if (Number.isNaN(t)) throw invalidInput('Could not parse metadata');
    out.validUntil = isoNow(new Date(t));
  }
  return out;
}

