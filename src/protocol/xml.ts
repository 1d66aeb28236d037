// XML text for the Query protocol's responses: escaping, element names, namespaces.
import type { ShapeRef, XmlNamespace } from './model.js';

/** Text content and attribute values with XML's special characters escaped. */
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

export function escapeXml(text: string): string {
  // Most text (names, ARNs, ids, dates) has nothing to escape: one test, no copy.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/**
 * The name a member has on the wire (Query parameters and XML elements): its locationName, else
 * its model name. Flattened lists repeat this name for each item (Smithy's awsQuery/restXml).
 */
export function wireName(memberName: string, ref: ShapeRef): string {
  return ref.locationName ?? memberName;
}

/** ` xmlns="…"` or ` xmlns:prefix="…"` for a member's xmlNamespace trait, or ''. */
export function namespaceAttribute(ns: XmlNamespace | undefined): string {
  if (typeof ns === 'string') return ns ? ` xmlns="${escapeXml(ns)}"` : '';
  if (!ns?.uri) return '';
  return ns.prefix ? ` xmlns:${ns.prefix}="${escapeXml(ns.uri)}"` : ` xmlns="${escapeXml(ns.uri)}"`;
}

/** `<name attrs>inner</name>`, or `<name attrs/>` when inner is empty. */
export function element(name: string, inner: string, attributes = ''): string {
  return inner === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${inner}</${name}>`;
}
