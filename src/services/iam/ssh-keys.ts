// SSH public keys of IAM users (for CodeCommit): UploadSSHPublicKey, GetSSHPublicKey,
// UpdateSSHPublicKey, DeleteSSHPublicKey, ListSSHPublicKeys.
//
// AWS (API reference, UploadSSHPublicKey): "The SSH public key must be encoded in ssh-rsa format
// or PEM format. The minimum bit-length of the public key is 2048 bits." Other key types are
// refused as an unrecognized encoding, as IAM does.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { OperationTable } from '../types.js';
import { iamError, limitExceeded, listAll, str } from './common.js';
import { KIND, isoNow, newId } from './entities.js';
import { resolveOwner } from './credential-owner.js';
import {
  deleteCredentialOperation, listCredentialsOperation, ownedCredential, updateStatusOperation, type CredentialFamily,
} from './owned-credentials.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: "SSH public keys
// assigned to an IAM user: 5".
export const MAX_SSH_KEYS = 5;
const MIN_RSA_BITS = 2048;

export interface SSHPublicKeyDoc {
  UserName: string;
  SSHPublicKeyId: string;
  Fingerprint: string;
  /** As uploaded (trimmed), in its original encoding. */
  SSHPublicKeyBody: string;
  Status: 'Active' | 'Inactive';
  UploadDate: string;
}

/** A parsed RSA public key: its SSH wire blob and its key object. */
export interface ParsedSshKey {
  blob: Buffer;
  key: KeyObject;
}

const unrecognized = () => iamError('UnrecognizedPublicKeyEncoding', 'The public key encoding format is unsupported or unrecognized.');
const invalidKey = (why: string) => iamError('InvalidPublicKey', `The public key is not valid: ${why}.`);

/** Reads the SSH wire strings of a blob (uint32 length + bytes each). */
function sshStrings(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let i = 0;
  while (i < blob.length) {
    if (i + 4 > blob.length) return undefined;
    const n = blob.readUInt32BE(i);
    i += 4;
    if (i + n > blob.length) return undefined;
    out.push(blob.subarray(i, i + n));
    i += n;
  }
  return out;
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** An unsigned big-endian integer as an SSH mpint (leading zero byte when the high bit is set). */
function mpint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return sshString(v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function unsigned(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function rsaBlob(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]);
}

function checkBits(key: KeyObject): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw invalidKey(`the key must be at least ${MIN_RSA_BITS} bits, this one has ${bits}`);
}

/** Parses an `ssh-rsa AAAA… comment` line or a PEM RSA public key; throws AWS's errors. */
export function parseSshPublicKey(body: string): ParsedSshKey {
  const text = body.trim();
  if (text.startsWith('-----BEGIN')) {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: text, format: 'pem' });
    } catch {
      throw unrecognized();
    }
    if (key.asymmetricKeyType !== 'rsa') throw unrecognized();
    checkBits(key);
    return { blob: rsaBlob(key), key };
  }
  const parts = text.split(/\s+/);
  if (parts.length < 2 || parts[0] !== 'ssh-rsa') throw unrecognized();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1]) || parts[1].length % 4 !== 0) throw invalidKey('the key data is not base64');
  const blob = Buffer.from(parts[1], 'base64');
  const fields = sshStrings(blob);
  if (!fields || fields.length !== 3 || fields[0].toString('latin1') !== 'ssh-rsa') throw invalidKey('the key data is not an ssh-rsa key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', e: unsigned(fields[1]).toString('base64url'), n: unsigned(fields[2]).toString('base64url') }, format: 'jwk' });
  } catch {
    throw invalidKey('the RSA key is malformed');
  }
  checkBits(key);
  return { blob, key };
}

/** The fingerprint IAM shows: MD5 of the key's SSH wire encoding, as colon-separated hex. */
export function sshFingerprint(blob: Buffer): string {
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

const SSH_KEYS: CredentialFamily = { kind: KIND.sshPublicKey, what: 'Public Key', idMember: 'SSHPublicKeyId', owner: { required: true } };

/** A key as ListSSHPublicKeys shows it (no body, no fingerprint). */
function listOutput(d: SSHPublicKeyDoc): Record<string, unknown> {
  return { UserName: d.UserName, SSHPublicKeyId: d.SSHPublicKeyId, Status: d.Status, UploadDate: d.UploadDate };
}

function fullOutput(d: SSHPublicKeyDoc, body = d.SSHPublicKeyBody): Record<string, unknown> {
  return { UserName: d.UserName, SSHPublicKeyId: d.SSHPublicKeyId, Fingerprint: d.Fingerprint, SSHPublicKeyBody: body, Status: d.Status, UploadDate: d.UploadDate };
}

export const sshKeyOperations: OperationTable = {
  async UploadSSHPublicKey(ctx, input) {
    const account = ctx.caller.accountId;
    const body = str(input, 'SSHPublicKeyBody').trim();
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:UploadSSHPublicKey', { required: true });
      const parsed = parseSshPublicKey(body);
      const fingerprint = sshFingerprint(parsed.blob);
      const existing = await listAll<SSHPublicKeyDoc>(tx, KIND.sshPublicKey, account, owner.parent);
      if (existing.some((k) => k.data.Fingerprint === fingerprint)) {
        throw iamError('DuplicateSSHPublicKey', 'The SSH public key is already associated with the specified IAM user.');
      }
      if (existing.length >= MAX_SSH_KEYS) throw limitExceeded(`Cannot exceed quota for SSHPublicKeysPerUser: ${MAX_SSH_KEYS}`);
      const doc: SSHPublicKeyDoc = {
        UserName: owner.userName, SSHPublicKeyId: newId('APKA'), Fingerprint: fingerprint,
        SSHPublicKeyBody: body, Status: 'Active', UploadDate: isoNow(ctx.now),
      };
      await tx.insert({ kind: KIND.sshPublicKey, account, key: doc.SSHPublicKeyId, id: doc.SSHPublicKeyId, parent: owner.parent, data: doc });
      return { SSHPublicKey: fullOutput(doc) };
    });
  },

  async GetSSHPublicKey(ctx, input) {
    const account = ctx.caller.accountId;
    const id = str(input, 'SSHPublicKeyId');
    const k = await ctx.store.read(async (tx) => ownedCredential<SSHPublicKeyDoc>(SSH_KEYS, tx, account, await resolveOwner(ctx, tx, input, 'iam:GetSSHPublicKey', { required: true }), id));
    const parsed = parseSshPublicKey(k.data.SSHPublicKeyBody);
    const body = str(input, 'Encoding') === 'PEM'
      ? String(parsed.key.export({ type: 'spki', format: 'pem' })).trim()
      : `ssh-rsa ${parsed.blob.toString('base64')}`;
    return { SSHPublicKey: fullOutput(k.data, body) };
  },

  UpdateSSHPublicKey: updateStatusOperation(SSH_KEYS, 'iam:UpdateSSHPublicKey'),

  DeleteSSHPublicKey: deleteCredentialOperation(SSH_KEYS, 'iam:DeleteSSHPublicKey'),

  ListSSHPublicKeys: listCredentialsOperation<SSHPublicKeyDoc>(SSH_KEYS, 'iam:ListSSHPublicKeys', 'SSHPublicKeys', listOutput),
};
