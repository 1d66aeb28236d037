// AWS Query protocol responses (IAM, STS): the operation's output shape as XML
//   <OpResponse xmlns="…"><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
// and errors as
//   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
// (IAM and STS put their namespace on ErrorResponse too.) Members appear in the shape's order;
// lists as <member>, maps as <entry><key/><value/></entry>, timestamps ISO 8601 in UTC.
import type { FaultType } from './errors.js';
import { resolveShape, timestampFormatOf, type ServiceModel, type Shape, type ShapeRef } from './model.js';
import { encodeBase64, formatTimestamp, toDate } from './scalars.js';
import { element, escapeXml, namespaceAttribute } from './xml.js';
import { structureMembers, type MemberPlan } from './members.js';

function scalarText(ref: ShapeRef, shape: Shape, value: unknown): string | undefined {
  switch (shape.type) {
    case 'timestamp': {
      const format = timestampFormatOf(ref, shape, 'iso8601');
      if (typeof value === 'string' && format === 'iso8601') return isoText(value);
      const date = toDate(value);
      return date ? String(formatTimestamp(date, format)) : undefined;
    }
    case 'blob':
      return encodeBase64(value);
    case 'boolean':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'float': case 'double': case 'bigdecimal':
      if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
      return String(value);
    default:
      if (typeof value === 'string') return value;
      return typeof value === 'object' ? undefined : String(value);
  }
}

// Stored timestamps are ISO text and the same few (CreateDate, …) are answered again and again:
// their wire form is remembered instead of parsed and formatted per answer. Bounded: emptied
// when full.
const isoTexts = new Map<string, string | undefined>();

function isoText(value: string): string | undefined {
  let text = isoTexts.get(value);
  if (text === undefined && !isoTexts.has(value)) {
    const date = toDate(value);
    text = date ? String(formatTimestamp(date, 'iso8601')) : undefined;
    if (isoTexts.size >= 4096) isoTexts.clear();
    isoTexts.set(value, text);
  }
  return text;
}

/** The content of the element for `value` of `shape` (without the element itself). */
function content(model: ServiceModel, ref: ShapeRef, shape: Shape, value: unknown, depth: number): string {
  if (depth > 64) return '';
  if (shape.type === 'structure') return structureContent(model, shape, value, depth);
  if (shape.type === 'list') {
    if (!Array.isArray(value) || !shape.member) return '';
    return itemElements(model, shape.member, shape.member.locationName ?? 'member', value, depth + 1);
  }
  if (shape.type === 'map') {
    if (value === null || typeof value !== 'object' || !shape.key || !shape.value) return '';
    let out = '';
    for (const entry of mapEntries(model, shape, value as Record<string, unknown>, depth)) out += `<entry>${entry}</entry>`;
    return out;
  }
  return escapeXml(scalarText(ref, shape, value) ?? '');
}

/** Each item of a list as an element `name` (items that are null or undefined give nothing). */
function itemElements(model: ServiceModel, ref: ShapeRef, name: string, items: readonly unknown[], depth: number): string {
  const shape = resolveShape(model, ref);
  const ns = namespaceAttribute(ref.xmlNamespace);
  let out = '';
  for (const item of items) {
    if (item !== undefined && item !== null) out += element(name, content(model, ref, shape, item, depth), ns);
  }
  return out;
}

function mapEntries(model: ServiceModel, shape: Shape, value: Record<string, unknown>, depth: number): string[] {
  const keyRef = shape.key as ShapeRef;
  const valueRef = shape.value as ShapeRef;
  const keyName = keyRef.locationName ?? 'key';
  const valueName = valueRef.locationName ?? 'value';
  return Object.entries(value).map(([k, v]) =>
    element(keyName, escapeXml(k), namespaceAttribute(keyRef.xmlNamespace)) + itemElements(model, valueRef, valueName, [v], depth + 1));
}

/** What rendering one member of a structure needs besides what decoding does (the hot path of every answer). */
interface OutputMember extends MemberPlan {
  ns: string;
  /** Whether the member's own shape has members with the xmlAttribute trait. */
  hasAttributes: boolean;
}

const outputMembers = new WeakMap<Shape, OutputMember[]>();

/** The members rendered as elements (not attributes), once per shape. */
function planOf(model: ServiceModel, shape: Shape): OutputMember[] {
  let plan = outputMembers.get(shape);
  if (plan) return plan;
  plan = structureMembers(model, shape).filter((m) => !m.ref.xmlAttribute).map((m) => ({
    ...m,
    ns: namespaceAttribute(m.ref.xmlNamespace),
    hasAttributes: Object.values(m.shape.members ?? {}).some((a) => a.xmlAttribute === true),
  }));
  outputMembers.set(shape, plan);
  return plan;
}

function structureContent(model: ServiceModel, shape: Shape, value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return '';
  const record = value as Record<string, unknown>;
  let out = '';
  for (const m of planOf(model, shape)) {
    const v = record[m.name];
    if (v === undefined || v === null) continue;
    if (m.flattened && m.shape.type === 'list' && Array.isArray(v)) {
      out += itemElements(model, m.shape.member as ShapeRef, m.wire, v, depth + 1);
    } else if (m.flattened && m.shape.type === 'map' && typeof v === 'object') {
      for (const entry of mapEntries(model, m.shape, v as Record<string, unknown>, depth)) out += `<${m.wire}${m.ns}>${entry}</${m.wire}>`;
    } else {
      out += element(m.wire, content(model, m.ref, m.shape, v, depth + 1), m.hasAttributes ? m.ns + attributesOf(model, m.shape.members, v) : m.ns);
    }
  }
  return out;
}

/** Members with the xmlAttribute trait, rendered as attributes of their structure's element. */
function attributesOf(model: ServiceModel, members: Record<string, ShapeRef> | undefined, value: unknown): string {
  if (!members || value === null || typeof value !== 'object') return '';
  let out = '';
  for (const [name, ref] of Object.entries(members)) {
    const v = (value as Record<string, unknown>)[name];
    if (!ref.xmlAttribute || v === undefined || v === null) continue;
    out += ` ${ref.locationName ?? name}="${escapeXml(scalarText(ref, resolveShape(model, ref), v) ?? '')}"`;
  }
  return out;
}

/**
 * The XML body of a successful Query response for `operation` with the output `output`
 * (member names as in the model). Operations without output give only ResponseMetadata.
 */
export function serializeQueryResponse(model: ServiceModel, operation: string, output: Record<string, unknown> | undefined, requestId: string): string {
  const op = model.operations[operation];
  const ns = model.metadata.xmlNamespace ? ` xmlns="${escapeXml(model.metadata.xmlNamespace)}"` : '';
  let result = '';
  if (op?.output) {
    const inner = structureContent(model, resolveShape(model, op.output), output ?? {}, 0);
    const wrapper = op.output.resultWrapper;
    result = wrapper ? element(wrapper, inner) : inner;
  }
  const metadata = `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>`;
  return `<${operation}Response${ns}>${result}${metadata}</${operation}Response>`;
}

/** What a Query error response carries. */
export interface QueryErrorInput {
  type: FaultType;
  code: string;
  message: string;
  /** Extra members of the error shape, as elements after Message. */
  fields?: Readonly<Record<string, unknown>>;
}

/** Plain rendering of extra error fields (scalars, nested records, lists as <member>). */
function plainXml(value: unknown, depth = 0): string {
  if (depth > 16 || value === undefined || value === null) return '';
  if (value instanceof Date) return formatTimestamp(value, 'iso8601') as string;
  if (Array.isArray(value)) return value.map((v) => element('member', plainXml(v, depth + 1))).join('');
  if (typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => (v === undefined || v === null ? '' : element(k, plainXml(v, depth + 1)))).join('');
  }
  return escapeXml(String(value));
}

/**
 * The XML body of a Query error response. `xmlNamespace` is the service's (IAM and STS send
 * it on ErrorResponse); pass the model to take it from there.
 */
export function serializeQueryError(error: QueryErrorInput, requestId: string, xmlNamespace?: string | ServiceModel): string {
  const ns = typeof xmlNamespace === 'string' ? xmlNamespace : xmlNamespace?.metadata.xmlNamespace;
  const attr = ns ? ` xmlns="${escapeXml(ns)}"` : '';
  const fields = error.fields ? plainXml(error.fields) : '';
  return `<ErrorResponse${attr}><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${fields}</Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
}
