// Loads botocore's protocol test suites (copied here with botocore's LICENSE.txt and NOTICE)
// and turns each case into a one-operation model the protocol functions can run on.
import { readFileSync } from 'node:fs';
import type { Operation, ServiceModel, Shape } from '../model.js';

export interface Suite {
  description: string;
  metadata: ServiceModel['metadata'];
  shapes: Record<string, Shape>;
  cases: ProtocolCase[];
}

export interface ProtocolCase {
  id?: string;
  description?: string;
  given: Operation;
  params?: Record<string, unknown>;
  serialized?: { method: string; uri: string; body?: string; headers?: Record<string, string>; host?: string };
  result?: Record<string, unknown>;
  response?: { status_code: number; headers?: Record<string, string>; body?: string };
  errorCode?: string;
  errorMessage?: string;
  error?: Record<string, unknown>;
}

export function loadSuites(file: string): Suite[] {
  return JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')) as Suite[];
}

/** A model with the suite's shapes and the case's one operation. */
export function modelOf(suite: Suite, c: ProtocolCase): ServiceModel {
  return { metadata: suite.metadata, shapes: suite.shapes, operations: { [c.given.name]: c.given } };
}

/** Decoded values in the suites' notation: timestamps as epoch seconds, blobs as text, NaN as 'NaN'. */
export function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}
