// AWS Query protocol requests (IAM, STS): `Action=…&Version=…&A.B=…&L.member.1=…&M.entry.1.key=…`
// decoded into the operation's input shape, then validated against the model's constraints.
// Serialization rules (botocore's query serializer, Smithy awsQuery): nested members join with
// `.`; lists are `Name.member.N` (or `Name.<memberLocationName>.N`), flattened lists `Name.N`;
// maps `Name.entry.N.key|value` (key/value renamed by their locationName), flattened `Name.N.key`;
// an empty list is sent as `Name=`; booleans `true|false`; timestamps ISO 8601 unless the
// member says `unixTimestamp`; blobs base64.
import { AwsError } from './errors.js';
import { resolveShape, timestampFormatOf, type ServiceModel, type ShapeRef } from './model.js';
import { wireName } from './xml.js';
import { decodeBase64, parseTimestamp } from './scalars.js';
import { validateInput, type FormatOptions } from './validate.js';
import { validationError } from './validation-error.js';

export type ParseResult = { ok: true; operation: string; input: Record<string, unknown> } | { ok: false; error: AwsError };

/** Parameters as a tree on their dotted names: `A.B.1` → A → B → 1. */
interface ParamNode {
  value?: string;
  children: Map<string, ParamNode>;
}

function buildTree(params: URLSearchParams): ParamNode {
  const root: ParamNode = { children: new Map() };
  for (const [key, value] of params) {
    // A presigned request's own parameters (X-Amz-Signature, …) are SigV4's, never an input member.
    if (key.startsWith('X-Amz-')) continue;
    let node = root;
    for (const part of key.split('.')) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    if (node.value === undefined) node.value = value; // the first occurrence wins
  }
  return root;
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
  const out: Array<[number, ParamNode]> = [];
  for (const [k, child] of node.children) {
    if (/^[1-9][0-9]{0,8}$/.test(k)) out.push([Number(k), child]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out.map(([, c]) => c);
}

interface Ctx {
  model: ServiceModel;
  path: string;
  depth: number;
}

function decodeScalar(ctx: Ctx, ref: ShapeRef, raw: string): unknown {
  const shape = resolveShape(ctx.model, ref);
  switch (shape.type) {
    case 'string':
      return raw;
    case 'boolean': {
      const v = raw.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw malformed(`invalid boolean \`${raw}\` for \`${ctx.path}\``);
    }
    case 'integer': case 'long': case 'short': case 'byte': case 'biginteger': {
      if (!/^[-+]?[0-9]+$/.test(raw.trim())) throw malformed(`invalid integer \`${raw}\` for \`${ctx.path}\``);
      const n = Number(raw.trim());
      const bits = shape.type === 'integer' ? 31 : shape.type === 'short' ? 15 : shape.type === 'byte' ? 7 : 63;
      if (n < -(2 ** bits) || n >= 2 ** bits) throw malformed(`invalid integer \`${raw}\` for \`${ctx.path}\``);
      return n;
    }
    case 'float': case 'double': case 'bigdecimal': {
      if (raw === 'NaN') return NaN;
      if (raw === 'Infinity') return Infinity;
      if (raw === '-Infinity') return -Infinity;
      const t = raw.trim();
      if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(t)) throw malformed(`invalid number \`${raw}\` for \`${ctx.path}\``);
      return Number(t);
    }
    case 'timestamp': {
      const date = parseTimestamp(raw, timestampFormatOf(ref, shape, 'iso8601'));
      if (!date) throw malformed(`invalid timestamp \`${raw}\` for \`${ctx.path}\``);
      return date;
    }
    case 'blob': {
      const bytes = decodeBase64(raw);
      if (!bytes) throw malformed(`invalid base64 for \`${ctx.path}\``);
      return bytes;
    }
    default:
      throw malformed(`unexpected value for \`${ctx.path}\``);
  }
}

/** The value of `node` (may be absent) per `ref`; undefined when nothing was sent for it. */
function decode(ctx: Ctx, ref: ShapeRef, node: ParamNode | undefined, flattened: boolean): unknown {
  if (!node) return undefined;
  if (ctx.depth > 32) throw malformed(`parameters nested too deep at \`${ctx.path}\``);
  const shape = resolveShape(ctx.model, ref);
  const deeper = (path: string): Ctx => ({ model: ctx.model, path, depth: ctx.depth + 1 });
  switch (shape.type) {
    case 'structure': {
      if (node.children.size === 0) return node.value === undefined ? undefined : {};
      const out: Record<string, unknown> = {};
      for (const [name, memberRef] of Object.entries(shape.members ?? {})) {
        const memberShape = resolveShape(ctx.model, memberRef);
        const isFlat = memberRef.flattened === true || memberShape.flattened === true;
        const wire = wireName(name, memberRef);
        const v = decode(deeper(`${ctx.path}${ctx.path ? '.' : ''}${wire}`), memberRef, node.children.get(wire), isFlat);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list': {
      const memberRef = shape.member as ShapeRef;
      let itemsNode: ParamNode | undefined = node;
      if (!flattened) itemsNode = node.children.get(memberRef.locationName ?? 'member');
      if (!itemsNode) return node.value !== undefined || node.children.size > 0 ? [] : undefined;
      return positions(itemsNode).map((item, i) => decode(deeper(`${ctx.path}.${i + 1}`), memberRef, item, false) ?? null);
    }
    case 'map': {
      const keyRef = shape.key as ShapeRef;
      const valueRef = shape.value as ShapeRef;
      const entriesNode = flattened ? node : node.children.get('entry');
      if (!entriesNode) return node.value !== undefined || node.children.size > 0 ? {} : undefined;
      const out: Record<string, unknown> = {};
      for (const entry of positions(entriesNode)) {
        const keyNode = entry.children.get(keyRef.locationName ?? 'key');
        if (keyNode?.value === undefined) continue;
        const v = decode(deeper(`${ctx.path}.${keyNode.value}`), valueRef, entry.children.get(valueRef.locationName ?? 'value'), false);
        Object.defineProperty(out, keyNode.value, { value: v ?? null, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      if (node.value === undefined) return undefined;
      return decodeScalar(ctx, ref, node.value);
  }
}

export interface QueryParseOptions extends FormatOptions {
  /** Skip constraint validation (decode only). */
  skipValidation?: boolean;
}

/**
 * The operation and decoded input of a Query request. `Action` names the operation; its input
 * shape drives decoding; constraint violations give AWS's `ValidationError`. Never throws on
 * user input.
 */
export function parseQueryRequest(model: ServiceModel, params: URLSearchParams, options: QueryParseOptions = {}): ParseResult {
  const action = params.get('Action');
  const version = params.get('Version') ?? model.metadata.apiVersion;
  if (action === null || action === '') {
    return { ok: false, error: new AwsError('MissingAction', 'Missing Action') };
  }
  const operation = Object.prototype.hasOwnProperty.call(model.operations, action) ? model.operations[action] : undefined;
  if (!operation || version !== model.metadata.apiVersion) {
    return { ok: false, error: new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`) };
  }
  let input: Record<string, unknown> = {};
  if (operation.input) {
    try {
      const root = buildTree(params);
      const decoded = decode({ model, path: '', depth: 0 }, operation.input, root, false);
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
