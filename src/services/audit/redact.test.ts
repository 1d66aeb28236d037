import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIDDEN, redact, redactMessage } from './redact.js';
import { buildRecord, type AuditCall } from './record.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

// Every secret member, with where it occurs in AWS's models: request parameters (hidden) or
// response elements (left out).
const cases: Array<{ name: string; operation: string; input?: Record<string, unknown>; output?: Record<string, unknown>; hidden?: string[] }> = [
  { name: 'CreateAccessKey secret', operation: 'CreateAccessKey', output: { AccessKey: { UserName: 'bob', AccessKeyId: 'AKIAEXAMPLE', Status: 'Active', SecretAccessKey: SECRET } } },
  { name: 'CreateLoginProfile password', operation: 'CreateLoginProfile', input: { UserName: 'bob', Password: SECRET }, hidden: ['password'] },
  { name: 'UpdateLoginProfile password', operation: 'UpdateLoginProfile', input: { UserName: 'bob', Password: SECRET }, hidden: ['password'] },
  { name: 'ChangePassword old and new', operation: 'ChangePassword', input: { OldPassword: SECRET, NewPassword: SECRET + 'x' }, hidden: ['oldPassword', 'newPassword'] },
  { name: 'AssumeRole credentials', operation: 'AssumeRole', input: { RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 's', TokenCode: '123456' }, output: { Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: SECRET, SessionToken: SECRET + 'token', Expiration: new Date(0) } }, hidden: ['tokenCode'] },
  { name: 'GetSessionToken token code', operation: 'GetSessionToken', input: { SerialNumber: 'arn:aws:iam::1:mfa/x', TokenCode: SECRET }, hidden: ['tokenCode'] },
  { name: 'UploadServerCertificate private key', operation: 'UploadServerCertificate', input: { ServerCertificateName: 'c', CertificateBody: 'PEM', PrivateKey: SECRET }, hidden: ['privateKey'] },
  { name: 'CreateServiceSpecificCredential password', operation: 'CreateServiceSpecificCredential', output: { ServiceSpecificCredential: { ServiceUserName: 'bob-at-1', ServicePassword: SECRET } } },
  { name: 'ResetServiceSpecificCredential password', operation: 'ResetServiceSpecificCredential', output: { ServiceSpecificCredential: { ServicePassword: SECRET } } },
  { name: 'CreateVirtualMFADevice seed and QR code', operation: 'CreateVirtualMFADevice', output: { VirtualMFADevice: { SerialNumber: 'arn:aws:iam::1:mfa/x', Base32StringSeed: new TextEncoder().encode(SECRET), QRCodePNG: new TextEncoder().encode(SECRET) } } },
  { name: 'EnableMFADevice codes', operation: 'EnableMFADevice', input: { UserName: 'bob', SerialNumber: 's', AuthenticationCode1: SECRET, AuthenticationCode2: SECRET + '2' }, hidden: ['authenticationCode1', 'authenticationCode2'] },
  { name: 'ResyncMFADevice codes', operation: 'ResyncMFADevice', input: { UserName: 'bob', SerialNumber: 's', AuthenticationCode1: SECRET, AuthenticationCode2: SECRET }, hidden: ['authenticationCode1', 'authenticationCode2'] },
  { name: 'AssumeRoleWithSAML assertion', operation: 'AssumeRoleWithSAML', input: { RoleArn: 'r', PrincipalArn: 'p', SAMLAssertion: SECRET }, hidden: ['sAMLAssertion'] },
  { name: 'AssumeRoleWithWebIdentity token', operation: 'AssumeRoleWithWebIdentity', input: { RoleArn: 'r', RoleSessionName: 's', WebIdentityToken: SECRET }, hidden: ['webIdentityToken'] },
  { name: 'nested in lists, any case', operation: 'Custom', input: { Items: [{ secretaccesskey: SECRET }, { SESSIONTOKEN: SECRET }] }, hidden: [] },
];

function call(c: (typeof cases)[number]): AuditCall {
  return { requestId: 'r', time: new Date(), service: 'iam', operation: c.operation, sourceIp: '192.0.2.1', status: 200, input: c.input, output: c.output };
}

describe('audit redaction', () => {
  for (const c of cases) {
    it(`${c.name}: the secret never appears in the record`, () => {
      const record = buildRecord(call(c), { fallbackAccount: '111122223333' });
      const text = JSON.stringify(record);
      assert.ok(!text.includes(SECRET), text);
      assert.ok(!text.includes(Buffer.from(SECRET).toString('base64')), text);
      const params = record.requestParameters as Record<string, unknown> | null;
      for (const name of c.hidden ?? []) assert.equal(params?.[name], HIDDEN, `${name} in ${text}`);
    });
  }

  it('leaves secret response members out and keeps the others (CloudTrail style names)', () => {
    const out = redact({ AccessKey: { UserName: 'bob', AccessKeyId: 'AKIA1', Status: 'Active', SecretAccessKey: SECRET, CreateDate: new Date('2024-01-02T03:04:05Z') } }, 'omit');
    assert.deepEqual(out, { accessKey: { userName: 'bob', accessKeyId: 'AKIA1', status: 'Active', createDate: '2024-01-02T03:04:05.000Z' } });
  });

  it('hides secret request parameters', () => {
    assert.deepEqual(redact({ UserName: 'bob', Password: SECRET, PasswordResetRequired: true }, 'hide'), { userName: 'bob', password: HIDDEN, passwordResetRequired: true });
  });

  it('turns blobs into base64 and drops undefined members', () => {
    assert.deepEqual(redact({ A: new Uint8Array([1, 2, 3]), B: undefined, C: [1, null] }, 'hide'), { a: 'AQID', c: [1, null] });
  });

  const messages: Array<{ name: string; message: string; expected: string }> = [
    { name: 'secret value quoted', message: `1 validation error detected: Value '${SECRET}' at 'password' failed to satisfy constraint: x`, expected: `1 validation error detected: Value '${HIDDEN}' at 'password' failed to satisfy constraint: x` },
    { name: 'nested secret member', message: `Value 'abc' at 'items.1.member.tokenCode' failed`, expected: `Value '${HIDDEN}' at 'items.1.member.tokenCode' failed` },
    { name: 'other members kept', message: `Value 'bob!' at 'userName' failed to satisfy constraint`, expected: `Value 'bob!' at 'userName' failed to satisfy constraint` },
    { name: 'no value quoted', message: "Value at 'password' failed to satisfy constraint", expected: "Value at 'password' failed to satisfy constraint" },
  ];
  for (const m of messages) {
    it(`error messages: ${m.name}`, () => assert.equal(redactMessage(m.message), m.expected));
  }

  it('error messages of records are redacted', () => {
    const record = buildRecord({ ...call(cases[1]), status: 400, errorCode: 'ValidationError', errorMessage: `Value '${SECRET}' at 'password' failed` }, { fallbackAccount: '1' });
    assert.ok(!JSON.stringify(record).includes(SECRET));
    assert.equal(record.responseElements, null);
  });
});
