// What the Access Analyzer operation tests share: the IAM fixture over IAM's own operations, and
// IAM users set up through the IAM API (user, inline policy, access key) as a customer would
// before calling the analyzer with that user's key.
import type { Caller } from '../types.js';
import { iamOperations } from '../iam/index.js';
import { openIamFixture, type IamFixture } from '../iam/iam-fixture.js';

export interface AnalyzerFixture extends IamFixture {
  /** Creates IAM user `name` as root through the IAM API, with inline policy document `policy` when given and an access key; resolves the key. */
  iamUser(name: string, policy?: string): Promise<Caller>;
}

export async function openAnalyzerFixture(): Promise<AnalyzerFixture> {
  const f = await openIamFixture(iamOperations);

  async function iamUser(name: string, policy?: string): Promise<Caller> {
    const ctx = f.ctx(f.rootCaller);
    await iamOperations.CreateUser(ctx, { UserName: name });
    if (policy) await iamOperations.PutUserPolicy(ctx, { UserName: name, PolicyName: 'p', PolicyDocument: policy });
    const out = await iamOperations.CreateAccessKey(ctx, { UserName: name }) as { AccessKey: { AccessKeyId: string } };
    await f.runtime.afterWrite();
    return f.resolve(out.AccessKey.AccessKeyId);
  }

  return { ...f, iamUser };
}
