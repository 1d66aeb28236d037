// Handshakes: InviteAccountToOrganization, AcceptHandshake, DeclineHandshake, CancelHandshake,
// DescribeHandshake, ListHandshakesForAccount, ListHandshakesForOrganization, EnableAllFeatures;
// and the organization's resource-based delegation policy: PutResourcePolicy,
// DescribeResourcePolicy, DeleteResourcePolicy.
//
// An invited account joins as AWS joins it: JoinedMethod INVITED, under the root, with the
// default policies of the enabled types — and without an OrganizationAccountAccessRole (AWS only
// creates that role in accounts it creates).
import type { OperationTable } from '../types.js';
import type { Tx } from '../../store/index.js';
import { parsePolicy } from '../../policy/index.js';
import { listAll } from '../iam/common.js';
import { KIND } from '../iam/entities.js';
import {
  OKIND, ORG_ACCOUNT, accountArn, authorize, callerOrg, iso, listOrg, mergeTags, notInUse, orgError, orgOfAccount, page,
  randomLower, requestTagKeys, requireManagement, requireDelegable, str, tagsOf,
  type MemberDoc, type OrganizationDoc,
} from './common.js';
import { attachDefaults } from './tree.js';
import { MAX_ACCOUNTS } from './accounts.js';
import type { Tag } from '../iam/entities.js';

type Action = 'INVITE' | 'ENABLE_ALL_FEATURES' | 'APPROVE_ALL_FEATURES';
type State = 'REQUESTED' | 'OPEN' | 'CANCELED' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED';

interface HandshakeResource { Value: string; Type: string; Resources?: HandshakeResource[] }

export interface HandshakeDoc {
  Id: string;
  Arn: string;
  OrgId: string;
  Parties: { Id: string; Type: 'ACCOUNT' | 'ORGANIZATION' | 'EMAIL' }[];
  State: State;
  RequestedTimestamp: string;
  ExpirationTimestamp: string;
  Action: Action;
  Resources: HandshakeResource[];
  /** The account that must answer (the invited account; the management account for ENABLE_ALL_FEATURES). */
  Recipient?: string;
  ParentHandshakeId?: string;
  Tags: Tag[];
}

export interface ResourcePolicyDoc { Id: string; Arn: string; OrgId: string; Content: string; Tags: Tag[] }

// Invitations expire after 15 days; an all-features request after 90.
const INVITE_DAYS = 15;
const ALL_FEATURES_DAYS = 90;

const ARN_SEGMENT: Record<Action, string> = { INVITE: 'invite', ENABLE_ALL_FEATURES: 'enable_all_features', APPROVE_ALL_FEATURES: 'approve_all_features' };

function newHandshake(org: OrganizationDoc, action: Action, now: Date, recipient: string, parties: HandshakeDoc['Parties'], resources: HandshakeResource[]): HandshakeDoc {
  const id = `h-${randomLower(10)}`;
  const days = action === 'INVITE' ? INVITE_DAYS : ALL_FEATURES_DAYS;
  return {
    Id: id, Arn: `arn:aws:organizations::${org.MasterAccountId}:handshake/${org.Id}/${ARN_SEGMENT[action]}/${id}`, OrgId: org.Id,
    Parties: parties, State: 'OPEN', RequestedTimestamp: iso(now), ExpirationTimestamp: iso(new Date(now.getTime() + days * 86_400_000)),
    Action: action, Resources: resources, Recipient: recipient, Tags: [],
  };
}

export function handshakeOutput(h: HandshakeDoc, now: Date): Record<string, unknown> {
  const state: State = h.State === 'OPEN' && h.ExpirationTimestamp < iso(now) ? 'EXPIRED' : h.State;
  return {
    Id: h.Id, Arn: h.Arn, Parties: h.Parties, State: state, RequestedTimestamp: h.RequestedTimestamp,
    ExpirationTimestamp: h.ExpirationTimestamp, Action: h.Action, Resources: h.Resources,
  };
}

const notFound = () => orgError('HandshakeNotFoundException', "We can't find a handshake with the HandshakeId that you specified.");
const constraintH = (reason: string, message: string) => orgError('HandshakeConstraintViolationException', message, reason);

async function getHandshake(tx: Pick<Tx, 'get'>, id: string) {
  const h = await tx.get<HandshakeDoc>(OKIND.handshake, ORG_ACCOUNT, id);
  if (!h) throw notFound();
  return h;
}

/** A state change of an OPEN handshake (AWS's transition errors otherwise). */
function checkTransition(h: HandshakeDoc, to: State, now: Date): void {
  const current = handshakeOutput(h, now).State as State;
  if (current === to) throw orgError('HandshakeAlreadyInStateException', 'The specified handshake is already in the requested state.');
  if (current !== 'OPEN') throw orgError('InvalidHandshakeTransitionException', "You can't perform the operation on the handshake in its current state.");
}

/** Stores the handshake in its new state; the operation's answer. */
async function saveState(tx: Tx, h: HandshakeDoc, to: State, now: Date): Promise<Record<string, unknown>> {
  const done: HandshakeDoc = { ...h, State: to };
  await tx.update({ kind: OKIND.handshake, account: ORG_ACCOUNT, key: h.Id, data: done });
  return { Handshake: handshakeOutput(done, now) };
}

async function join(tx: Tx, org: OrganizationDoc, accountId: string, now: string): Promise<void> {
  const member: MemberDoc = {
    Id: accountId, Arn: accountArn(org.MasterAccountId, org.Id, accountId), Email: `root@${accountId}.warden.invalid`, Name: accountId,
    Status: 'ACTIVE', State: 'ACTIVE', JoinedMethod: 'INVITED', JoinedTimestamp: now, OrgId: org.Id, ParentId: org.RootId, Tags: [],
  };
  await tx.insert({ kind: OKIND.account, account: ORG_ACCOUNT, key: accountId, parent: org.RootId, data: member });
  await attachDefaults(tx, org, accountId, 'ACCOUNT');
}

export const handshakeOperations: OperationTable = {
  async InviteAccountToOrganization(ctx, input) {
    const target = input.Target as { Id: string; Type: 'ACCOUNT' | 'EMAIL' | 'ORGANIZATION' };
    const notes = typeof input.Notes === 'string' ? input.Notes : undefined;
    const tags = tagsOf(input);
    authorize(ctx, 'organizations:InviteAccountToOrganization', '*', requestTagKeys(tags));
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      if (target.Type === 'ORGANIZATION') {
        throw orgError('InvalidInputException', 'You specified an invalid value for the party type of the target.', 'INVALID_PARTY_TYPE_TARGET');
      }
      if (target.Type === 'ACCOUNT' && !/^\d{12}$/.test(target.Id)) {
        throw orgError('InvalidInputException', 'You specified an invalid value for the target account id.', 'INVALID_PATTERN_TARGET_ID');
      }
      if (target.Type === 'ACCOUNT' && (await orgOfAccount(tx, target.Id))) {
        throw constraintH('ALREADY_IN_AN_ORGANIZATION', 'The account is already a member of an organization.');
      }
      if ((await listOrg<MemberDoc>(tx, OKIND.account, org.Id)).length >= MAX_ACCOUNTS) {
        throw constraintH('ACCOUNT_NUMBER_LIMIT_EXCEEDED', 'You attempted to exceed the limit on the number of accounts in an organization.');
      }
      const open = (await listOrg<HandshakeDoc>(tx, OKIND.handshake, org.Id, org.Id))
        .some((h) => h.data.Action === 'INVITE' && h.data.State === 'OPEN' && h.data.ExpirationTimestamp >= iso(ctx.now) && h.data.Recipient === target.Id);
      if (open) throw orgError('DuplicateHandshakeException', 'A handshake with the same action and target already exists.');
      const resources: HandshakeResource[] = [
        {
          Value: org.Id, Type: 'ORGANIZATION',
          Resources: [
            { Value: org.MasterAccountEmail, Type: 'MASTER_EMAIL' },
            { Value: org.MasterAccountId, Type: 'MASTER_NAME' },
            { Value: org.FeatureSet === 'ALL' ? 'FULL' : 'CONSOLIDATED_BILLING', Type: 'ORGANIZATION_FEATURE_SET' },
          ],
        },
        { Value: target.Id, Type: target.Type === 'EMAIL' ? 'EMAIL' : 'ACCOUNT' },
      ];
      if (notes !== undefined) resources.push({ Value: notes, Type: 'NOTES' });
      const h = newHandshake(org, 'INVITE', ctx.now, target.Id, [{ Id: org.Id.slice(2), Type: 'ORGANIZATION' }, { Id: target.Id, Type: target.Type }], resources);
      h.Tags = mergeTags([], tags);
      await tx.insert({ kind: OKIND.handshake, account: ORG_ACCOUNT, key: h.Id, parent: org.Id, data: h });
      return { Handshake: handshakeOutput(h, ctx.now) };
    });
  },

  async AcceptHandshake(ctx, input) {
    const id = str(input, 'HandshakeId');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const h = await getHandshake(tx, id);
      authorize(ctx, 'organizations:AcceptHandshake', h.data.Arn);
      if (h.data.Recipient !== account) throw notFound();
      checkTransition(h.data, 'ACCEPTED', ctx.now);
      const org = (await tx.get<OrganizationDoc>(OKIND.organization, ORG_ACCOUNT, h.data.OrgId))?.data;
      if (!org) throw notFound();
      const now = iso(ctx.now);
      if (h.data.Action === 'INVITE') {
        if (await orgOfAccount(tx, account)) throw constraintH('ALREADY_IN_AN_ORGANIZATION', 'The account is already a member of an organization.');
        if ((await listOrg<MemberDoc>(tx, OKIND.account, org.Id)).length >= MAX_ACCOUNTS) {
          throw constraintH('ACCOUNT_NUMBER_LIMIT_EXCEEDED', 'You attempted to exceed the limit on the number of accounts in an organization.');
        }
        // The joining account must be known to the authorization snapshot (global registration).
        if (!(await tx.get(KIND.account, ORG_ACCOUNT, account))) {
          const own = await tx.get(KIND.account, account, account);
          if (own) await tx.insert({ kind: KIND.account, account: ORG_ACCOUNT, key: account, data: own.data });
        }
        await join(tx, org, account, now);
      } else if (h.data.Action === 'ENABLE_ALL_FEATURES') {
        // Finalizes once every invited member approved.
        const children = (await listOrg<HandshakeDoc>(tx, OKIND.handshake, org.Id, org.Id)).filter((c) => c.data.ParentHandshakeId === h.data.Id);
        if (children.some((c) => c.data.State !== 'ACCEPTED')) {
          throw constraintH('ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION', 'Not every member account has approved the all-features request yet.');
        }
        await tx.update({ kind: OKIND.organization, account: ORG_ACCOUNT, key: org.Id, data: { ...org, FeatureSet: 'ALL' } });
      }
      return saveState(tx, h.data, 'ACCEPTED', ctx.now);
    });
  },

  async DeclineHandshake(ctx, input) {
    const id = str(input, 'HandshakeId');
    return ctx.store.transaction(async (tx) => {
      const h = await getHandshake(tx, id);
      authorize(ctx, 'organizations:DeclineHandshake', h.data.Arn);
      if (h.data.Recipient !== ctx.caller.accountId) throw notFound();
      checkTransition(h.data, 'DECLINED', ctx.now);
      return saveState(tx, h.data, 'DECLINED', ctx.now);
    });
  },

  async CancelHandshake(ctx, input) {
    const id = str(input, 'HandshakeId');
    return ctx.store.transaction(async (tx) => {
      const h = await getHandshake(tx, id);
      authorize(ctx, 'organizations:CancelHandshake', h.data.Arn);
      const org = (await tx.get<OrganizationDoc>(OKIND.organization, ORG_ACCOUNT, h.data.OrgId))?.data;
      if (!org || org.MasterAccountId !== ctx.caller.accountId) throw notFound();
      checkTransition(h.data, 'CANCELED', ctx.now);
      return saveState(tx, h.data, 'CANCELED', ctx.now);
    });
  },

  async DescribeHandshake(ctx, input) {
    const id = str(input, 'HandshakeId');
    return ctx.store.read(async (tx) => {
      const h = await getHandshake(tx, id);
      authorize(ctx, 'organizations:DescribeHandshake', h.data.Arn);
      const org = (await tx.get<OrganizationDoc>(OKIND.organization, ORG_ACCOUNT, h.data.OrgId))?.data;
      const account = ctx.caller.accountId;
      if (h.data.Recipient !== account && org?.MasterAccountId !== account) throw notFound();
      return { Handshake: handshakeOutput(h.data, ctx.now) };
    });
  },

  async ListHandshakesForAccount(ctx, input) {
    const filter = (input.Filter ?? {}) as { ActionType?: string; ParentHandshakeId?: string };
    authorize(ctx, 'organizations:ListHandshakesForAccount', '*');
    return ctx.store.read(async (tx) => {
      const all = (await listAll<HandshakeDoc>(tx, OKIND.handshake, ORG_ACCOUNT))
        .filter((h) => h.data.Recipient === ctx.caller.accountId)
        .filter((h) => !filter.ActionType || h.data.Action === filter.ActionType)
        .filter((h) => !filter.ParentHandshakeId || h.data.ParentHandshakeId === filter.ParentHandshakeId);
      const p = page(all, (h) => h.key, input);
      return { Handshakes: p.items.map((h) => handshakeOutput(h.data, ctx.now)), NextToken: p.NextToken };
    });
  },

  async ListHandshakesForOrganization(ctx, input) {
    const filter = (input.Filter ?? {}) as { ActionType?: string; ParentHandshakeId?: string };
    const check = authorize(ctx, 'organizations:ListHandshakesForOrganization', '*');
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const all = (await listOrg<HandshakeDoc>(tx, OKIND.handshake, org.Id, org.Id))
        .filter((h) => !filter.ActionType || h.data.Action === filter.ActionType)
        .filter((h) => !filter.ParentHandshakeId || h.data.ParentHandshakeId === filter.ParentHandshakeId);
      const p = page(all, (h) => h.key, input);
      return { Handshakes: p.items.map((h) => handshakeOutput(h.data, ctx.now)), NextToken: p.NextToken };
    });
  },

  async EnableAllFeatures(ctx) {
    authorize(ctx, 'organizations:EnableAllFeatures', '*');
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      if (org.FeatureSet === 'ALL') throw constraintH('ORGANIZATION_ALREADY_HAS_ALL_FEATURES', 'This organization has already enabled all features.');
      const existing = await listOrg<HandshakeDoc>(tx, OKIND.handshake, org.Id, org.Id);
      if (existing.some((h) => h.data.Action === 'ENABLE_ALL_FEATURES' && h.data.State === 'OPEN')) {
        throw constraintH('ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION', 'This organization is already in the process of enabling all features.');
      }
      const parent = newHandshake(org, 'ENABLE_ALL_FEATURES', ctx.now, org.MasterAccountId, [{ Id: org.Id.slice(2), Type: 'ORGANIZATION' }],
        [{ Value: org.Id, Type: 'ORGANIZATION' }]);
      await tx.insert({ kind: OKIND.handshake, account: ORG_ACCOUNT, key: parent.Id, parent: org.Id, data: parent });
      // Every invited member approves; accounts created by the organization approve implicitly.
      for (const m of await listOrg<MemberDoc>(tx, OKIND.account, org.Id)) {
        if (m.data.Id === org.MasterAccountId || m.data.JoinedMethod !== 'INVITED') continue;
        const child = newHandshake(org, 'APPROVE_ALL_FEATURES', ctx.now, m.data.Id,
          [{ Id: org.Id.slice(2), Type: 'ORGANIZATION' }, { Id: m.data.Id, Type: 'ACCOUNT' }],
          [{ Value: org.Id, Type: 'ORGANIZATION' }, { Value: parent.Id, Type: 'PARENT_HANDSHAKE' }]);
        child.ParentHandshakeId = parent.Id;
        await tx.insert({ kind: OKIND.handshake, account: ORG_ACCOUNT, key: child.Id, parent: org.Id, data: child });
      }
      return { Handshake: handshakeOutput(parent, ctx.now) };
    });
  },

  // --- The organization's resource-based policy (delegation to delegated administrators) ---

  async PutResourcePolicy(ctx, input) {
    const content = str(input, 'Content');
    const tags = tagsOf(input);
    authorize(ctx, 'organizations:PutResourcePolicy', '*', requestTagKeys(tags));
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      const parsed = parsePolicy(content, { type: 'resource' });
      if (!parsed.ok) throw orgError('InvalidInputException', 'You provided an invalid resource policy.', 'INVALID_RESOURCE_POLICY_JSON');
      // Since June 30, 2026 AWS refuses NotAction and NotResource in delegation policies (user guide,
      // "Update a resource-based delegation policy").
      if (parsed.policy.statements.some((st) => st.notAction !== undefined || st.notResource !== undefined)) {
        throw orgError('InvalidInputException', 'Delegation policies cannot contain NotAction or NotResource elements.', 'INVALID_RESOURCE_POLICY_JSON');
      }
      const existing = await tx.get<ResourcePolicyDoc>(OKIND.resourcePolicy, ORG_ACCOUNT, org.Id);
      const id = existing?.data.Id ?? `rp-${randomLower(8)}`;
      const doc: ResourcePolicyDoc = {
        Id: id, Arn: `arn:aws:organizations::${org.MasterAccountId}:resourcepolicy/${org.Id}/${id}`, OrgId: org.Id, Content: content,
        Tags: existing ? existing.data.Tags : mergeTags([], tags),
      };
      if (existing) await tx.update({ kind: OKIND.resourcePolicy, account: ORG_ACCOUNT, key: org.Id, data: doc });
      else await tx.insert({ kind: OKIND.resourcePolicy, account: ORG_ACCOUNT, key: org.Id, parent: org.Id, data: doc });
      return { ResourcePolicy: { ResourcePolicySummary: { Id: doc.Id, Arn: doc.Arn }, Content: doc.Content } };
    });
  },

  async DescribeResourcePolicy(ctx) {
    const check = authorize(ctx, 'organizations:DescribeResourcePolicy', '*');
    return ctx.store.read(async (tx) => {
      const c = await callerOrg(tx, ctx);
      if (!c) throw notInUse();
      const org = await requireDelegable(tx, ctx, c, 'read', [check]);
      const rp = await tx.get<ResourcePolicyDoc>(OKIND.resourcePolicy, ORG_ACCOUNT, org.Id);
      if (!rp) throw orgError('ResourcePolicyNotFoundException', "We can't find a resource policy request with the parameter that you specified.");
      return { ResourcePolicy: { ResourcePolicySummary: { Id: rp.data.Id, Arn: rp.data.Arn }, Content: rp.data.Content } };
    });
  },

  async DeleteResourcePolicy(ctx) {
    authorize(ctx, 'organizations:DeleteResourcePolicy', '*');
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      if (!(await tx.delete(OKIND.resourcePolicy, ORG_ACCOUNT, org.Id))) {
        throw orgError('ResourcePolicyNotFoundException', "We can't find a resource policy request with the parameter that you specified.");
      }
      return undefined;
    });
  },
};

