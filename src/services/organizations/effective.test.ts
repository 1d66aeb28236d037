import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsErrorOf, openOrgFixture, type OrgFixture } from './org-fixture.js';

type Obj = Record<string, any>;

describe('DescribeEffectivePolicy (tag policies)', () => {
  let f: OrgFixture;
  let rootId: string;
  let ou: string;
  let member: string;

  async function tagPolicy(name: string, content: unknown, target: string): Promise<void> {
    const p = (await f.org('CreatePolicy', f.root(), { Content: JSON.stringify(content), Name: name, Description: '', Type: 'TAG_POLICY' })).Policy as Obj;
    await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: target });
  }
  const effective = async (ctx = f.root(), target: string | undefined = member) =>
    JSON.parse(((await f.org('DescribeEffectivePolicy', ctx, { PolicyType: 'TAG_POLICY', ...(target ? { TargetId: target } : {}) })).EffectivePolicy as Obj).PolicyContent);

  before(async () => {
    f = await openOrgFixture();
    await f.org('CreateOrganization', f.root());
    rootId = ((await f.org('ListRoots', f.root())).Roots as Obj[])[0].Id;
    await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'TAG_POLICY' });
    ou = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Apps' })).OrganizationalUnit as Obj).Id;
    const s = (await f.org('CreateAccount', f.root(), { Email: 'm@example.com', AccountName: 'm' })).CreateAccountStatus as Obj;
    member = ((await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj).AccountId;
    await f.org('MoveAccount', f.root(), { AccountId: member, SourceParentId: rootId, DestinationParentId: ou });
  });
  after(async () => { await f.close(); });

  it('without tag policies there is no effective policy (EffectivePolicyNotFoundException)', async () => {
    const e = await awsErrorOf(() => effective());
    assert.equal(e.code, 'EffectivePolicyNotFoundException');
  });

  it('merges root, OU and account policies with @@assign, @@append and @@remove, shown without operators', async () => {
    await tagPolicy('Root', {
      tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['100', '200'] }, enforced_for: { '@@assign': ['ec2:instance'] } } },
    }, rootId);
    await tagPolicy('Ou', { tags: { costcenter: { tag_value: { '@@append': ['300'] } }, project: { tag_key: { '@@assign': 'Project' } } } }, ou);
    await tagPolicy('Account', { tags: { costcenter: { tag_value: { '@@remove': ['100'] } } } }, member);
    assert.deepEqual(await effective(), {
      tags: {
        costcenter: { tag_key: 'CostCenter', tag_value: ['200', '300'], enforced_for: ['ec2:instance'] },
        project: { tag_key: 'Project' },
      },
    });
  });

  it('@@operators_allowed_for_child_policies stops lower levels from changing a setting', async () => {
    await tagPolicy('Locked', {
      tags: { owner: { tag_key: { '@@assign': 'Owner', '@@operators_allowed_for_child_policies': ['@@none'] } } },
    }, rootId);
    await tagPolicy('TriesToChange', { tags: { owner: { tag_key: { '@@assign': 'owner' } } } }, ou);
    const eff = await effective();
    assert.equal(eff.tags.owner.tag_key, 'Owner');
  });

  it('a member sees its own effective policy; root and OU targets are not supported', async () => {
    const own = await effective(f.root(member), undefined);
    assert.equal(own.tags.costcenter.tag_key, 'CostCenter');
    const e = await awsErrorOf(() => effective(f.root(), ou));
    assert.equal(e.code, 'InvalidInputException');
    assert.equal(e.fields.Reason, 'TARGET_NOT_SUPPORTED');
    const e2 = await awsErrorOf(() => f.org('DescribeEffectivePolicy', f.root(member), { PolicyType: 'TAG_POLICY', TargetId: f.mgmt }));
    assert.equal(e2.code, 'AccessDeniedException');
    const e3 = await awsErrorOf(() => f.org('DescribeEffectivePolicy', f.root(), { PolicyType: 'BACKUP_POLICY', TargetId: member }));
    assert.equal(e3.code, 'EffectivePolicyNotFoundException');
  });
});
