// AWS Query protocol requests (IAM, STS): `Action=…&Version=…&A.B=…&L.member.1=…&M.entry.1.key=…`
// decoded into the operation's input shape, then validated against the model's constraints.
// Serialization rules (botocore's query serializer, Smithy awsQuery): nested members join with
// `.`; lists are `Name.member.N` (or `Name.<memberLocationName>.N`), flattened lists `Name.N`;
// maps `Name.entry.N.key|value` (key/value renamed by their locationName), flattened `Name.N.key`;
// an empty list is sent as `Name=`; booleans `true|false`; timestamps ISO 8601 unless the
// member says `unixTimestamp`; blobs base64.
import { AwsError } from './errors.js';
import { resolveShape, timestampFormatOf, type ServiceModel, type Shape, type ShapeRef } from './model.js';
import { structureMembers } from './members.js';
import { decodeBase64, parseTimestamp } from './scalars.js';
import { validateInput, type FormatOptions } from './validate.js';
import { validationError } from './validation-error.js';

export type ParseResult = { ok: true; operation: string; input: Record<string, unknown> } | { ok: false; error: AwsError };

/** Parameters as a tree on their dotted names: `A.B.1` → A → B → 1. */
interface ParamNode {
  value: string | undefined;
  /** Created with the first child (most nodes are leaves). */
  children: Map<string, ParamNode> | undefined;
}

function childOf(node: ParamNode, part: string): ParamNode {
  if (!node.children) node.children = new Map();
  let next = node.children.get(part);
  if (!next) {
    next = { value: undefined, children: undefined };
    node.children.set(part, next);
  }
  return next;
}

/** Raised inside the decoder for a value of the wrong type; caught in parseQueryRequest. */
class DecodeFailure {
  constructor(readonly error: AwsError) {}
}

function malformed(message: string): DecodeFailure {
  return new DecodeFailure(new AwsError('MalformedInput', message, { status: 400 }));
}

/** Positive integer children in ascending order, as list/map positions. */
function positions(node: ParamNode): ParamNode[] {
  if (!node.children) return [];
  const out: Array<[number, ParamNode]> = [];
  for (const [k, child] of node.children) {
    if (/^[1-9][0-9]{0,8}$/.test(k)) out.push([Number(k), child]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out.map(([, c]) => c);
}

function decodeScalar(ref: ShapeRef, shape: Shape, raw: string, path: string): unknown {
  switch (shape.type) {
    case 'string':
      return raw;
    case 'boolean': {
      const v = raw.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw malformed(`invalid boolean \`${raw}\` for \`${path}\``);
    }
    case 'integer': case 'long': case 'short': case 'byte': case 'biginteger': {
      if (!/^[-+]?[0-9]+$/.test(raw.trim())) throw malformed(`invalid integer \`${raw}\` for \`${path}\``);
      const n = Number(raw.trim());
      const bits = shape.type === 'integer' ? 31 : shape.type === 'short' ? 15 : shape.type === 'byte' ? 7 : 63;
      if (n < -(2 ** bits) || n >= 2 ** bits) throw malformed(`invalid integer \`${raw}\` for \`${path}\``);
      return n;
    }
    case 'float': case 'double': case 'bigdecimal': {
      if (raw === 'NaN') return NaN;
      if (raw === 'Infinity') return Infinity;
      if (raw === '-Infinity') return -Infinity;
      const t = raw.trim();
      if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(t)) throw malformed(`invalid number \`${raw}\` for \`${path}\``);
      return Number(t);
    }
    case 'timestamp': {
      const date = parseTimestamp(raw, timestampFormatOf(ref, shape, 'iso8601'));
      if (!date) throw malformed(`invalid timestamp \`${raw}\` for \`${path}\``);
      return date;
    }
    case 'blob': {
      const bytes = decodeBase64(raw);
      if (!bytes) throw malformed(`invalid base64 for \`${path}\``);
      return bytes;
    }
    default:
      throw malformed(`unexpected value for \`${path}\``);
  }
}

/**
 * The value of `node` (`shape`, referenced by `ref`) at `path` (for messages; built only for
 * what was sent); undefined when nothing was sent for it.
 */
function decode(model: ServiceModel, ref: ShapeRef, shape: Shape, node: ParamNode, flattened: boolean, path: string, depth: number): unknown {
  if (depth > 32) throw malformed(`parameters nested too deep at \`${path}\``);
  switch (shape.type) {
    case 'structure': {
      const children = node.children;
      if (!children) return node.value === undefined ? undefined : {};
      const out: Record<string, unknown> = {};
      for (const m of structureMembers(model, shape)) {
        const child = children.get(m.wire);
        if (!child) continue;
        const v = decode(model, m.ref, m.shape, child, m.flattened, path === '' ? m.wire : `${path}.${m.wire}`, depth + 1);
        if (v !== undefined) out[m.name] = v;
      }
      return out;
    }
    case 'list': {
      const memberRef = shape.member as ShapeRef;
      const itemsNode = flattened ? node : node.children?.get(memberRef.locationName ?? 'member');
      if (!itemsNode) return node.value !== undefined || node.children ? [] : undefined;
      const memberShape = resolveShape(model, memberRef);
      return positions(itemsNode).map((item, i) => decode(model, memberRef, memberShape, item, false, `${path}.${i + 1}`, depth + 1) ?? null);
    }
    case 'map': {
      const keyRef = shape.key as ShapeRef;
      const valueRef = shape.value as ShapeRef;
      const entriesNode = flattened ? node : node.children?.get('entry');
      if (!entriesNode) return node.value !== undefined || node.children ? {} : undefined;
      const valueShape = resolveShape(model, valueRef);
      const out: Record<string, unknown> = {};
      for (const entry of positions(entriesNode)) {
        const keyNode = entry.children?.get(keyRef.locationName ?? 'key');
        if (keyNode?.value === undefined) continue;
        const valueNode = entry.children?.get(valueRef.locationName ?? 'value');
        const v = valueNode ? decode(model, valueRef, valueShape, valueNode, false, `${path}.${keyNode.value}`, depth + 1) : undefined;
        Object.defineProperty(out, keyNode.value, { value: v ?? null, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      if (node.value === undefined) return undefined;
      return decodeScalar(ref, shape, node.value, path);
  }
}

export interface QueryParseOptions extends FormatOptions {
  /** Skip constraint validation (decode only). */
  skipValidation?: boolean;
}

/** The request's parameters as a tree, with the first `Action` and `Version`, in one pass. */
function readParams(params: Iterable<readonly [string, string]>): { root: ParamNode; action: string | undefined; version: string | undefined } {
  const root: ParamNode = { value: undefined, children: undefined };
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of params) {
    if (key === 'Action') action ??= value;
    else if (key === 'Version') version ??= value;
    // A presigned request's own parameters (X-Amz-Signature, …) are SigV4's, never an input member.
    else if (key.startsWith('X-Amz-')) continue;
    let node = root;
    let from = 0;
    for (let dot = key.indexOf('.'); dot !== -1; dot = key.indexOf('.', from)) {
      node = childOf(node, key.slice(from, dot));
      from = dot + 1;
    }
    node = childOf(node, from === 0 ? key : key.slice(from));
    if (node.value === undefined) node.value = value; // the first occurrence wins
  }
  return { root, action, version };
}

/**
 * The operation and decoded input of a Query request. `Action` names the operation; its input
 * shape drives decoding; constraint violations give AWS's `ValidationError`. Never throws on
 * user input. `params` are name/value pairs in wire order (URLSearchParams, or parseForm's).
 */
export function parseQueryRequest(model: ServiceModel, params: Iterable<readonly [string, string]>, options: QueryParseOptions = {}): ParseResult {
  const { root, action, version = model.metadata.apiVersion } = readParams(params);
  if (action === undefined || action === '') {
    return { ok: false, error: new AwsError('MissingAction', 'Missing Action') };
  }
  const operation = Object.prototype.hasOwnProperty.call(model.operations, action) ? model.operations[action] : undefined;
  if (!operation || version !== model.metadata.apiVersion) {
    return { ok: false, error: new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`) };
  }
  let input: Record<string, unknown> = {};
  if (operation.input) {
    try {
      const decoded = decode(model, operation.input, resolveShape(model, operation.input), root, false, '', 0);
      input = (decoded ?? {}) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof DecodeFailure) return { ok: false, error: e.error };
      throw e;
    }
  }
  if (!options.skipValidation) {
    const issues = validateInput(model, operation.input, input);
    if (issues.length > 0) return { ok: false, error: validationError(model, issues, options) };
  }
  return { ok: true, operation: operation.name, input };
}
