// The IAM policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy,
// GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy — decided by the same engine
// (`authorize` from src/policy) that enforces every call, with AWS's response shapes.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
//
// Choices, following AWS's documentation of the simulator:
// - The simulator evaluates the policies it is given (or that are attached to PolicySourceArn),
//   never the "root user has full access" shortcut of enforcement: the simulated caller is always
//   an IAM user (CallerArn must be a user ARN), a role session of the source role, or — for
//   SimulateCustomPolicy without CallerArn — an unnamed IAM user of the caller's account. The
//   root user is not a policy source (its ARN is not a user, group or role: InvalidInput).
// - The request context holds exactly the ContextEntries given: the simulator does not invent
//   global keys (aws:CurrentTime, aws:SourceIp, aws:username…). Condition keys and policy
//   variables that the relevant statements (Action, Resource and Principal match) use and the
//   request lacks are reported in MissingContextValues, as AWS does — SCP statements included.
// - SimulatePrincipalPolicy includes the SCPs that apply to the account (OrganizationsDecisionDetail);
//   SimulateCustomPolicy includes OrderedOrganizationPolicyInputList, one level per entry.
// - MatchedStatements name the identity, boundary and resource policy statements that decided
//   (Allows for `allowed`, Denies for `explicitDeny`, none for `implicitDeny`); SCP statements are
//   summarised by OrganizationsDecisionDetail only. PolicyInputList entries are named
//   `PolicyInputList.N` with SourcePolicyType `IAM Policy`, which is what IAM really returns
//   (outside the model's enum); attached policies by name with user/group/role/aws-managed/
//   user-managed, the resource policy as `ResourcePolicy`/`resource`.
// - Positions: IAM reports the column just after the statement's `{` as StartPosition and the
//   column just after its `}` as EndPosition (1-based lines and columns; the AWS CLI's documented
//   example `{"Version":…,"Statement":{…}}` gives 38 and 167 for a statement spanning 37–166).
// - One EvaluationResult per (action, resource) pair, actions first; with ResourceArns each carries
//   its ResourceSpecificResults entry. EvalDecisionDetails appear for simulations with resource
//   ARNs (per policy type for cross-account ones, empty within one account), as documented.
import { loadPolicy, type PolicyLevel, type Principal } from '../../policy/index.js';
import type { OperationTable } from '../types.js';
import { OrganizationView } from '../authz/organization.js';
import { decodeMarker, encodeMarker, iamError, invalidInput, optStr, str, stringList } from './common.js';
import { contextKeysOf, simPolicy, simulate, type SimPolicy, type SimulationResult, type SimulationSpec } from './simulation.js';
import { contextFromEntries } from './simulation-context.js';
import { ACCOUNT_ARN, USER_ARN, loadSource } from './simulation-sources.js';

// ---------------------------------------------------------------------------
// Decoding the input, and the operations.

function inputPolicies(input: Record<string, unknown>): SimPolicy[] {
  return stringList(input.PolicyInputList).map((t, i) => simPolicy(t, 'identity', `PolicyInputList.${i + 1}`, 'IAM Policy'));
}

function inputBoundary(input: Record<string, unknown>): SimPolicy | undefined {
  const list = stringList(input.PermissionsBoundaryPolicyInputList);
  if (list.length > 1) throw invalidInput('You can input only one permissions boundary when you pass a policy to this operation.');
  return list.length === 1 ? simPolicy(list[0], 'boundary', 'PermissionsBoundaryPolicyInputList.1', 'none') : undefined;
}

function userPrincipal(arn: string): Principal {
  const m = USER_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid CallerArn ${arn}: the simulated caller must be the ARN of an IAM user.`);
  return { kind: 'user', accountId: m[1], arn };
}

function resourceOwnerOf(input: Record<string, unknown>): string | undefined {
  const owner = optStr(input, 'ResourceOwner');
  if (owner === undefined) return undefined;
  const m = ACCOUNT_ARN.exec(owner);
  if (m) return m[1];
  if (/^\d{12}$/.test(owner)) return owner;
  throw invalidInput(`Invalid ResourceOwner ${owner}: use the account's ARN, arn:aws:iam::ACCOUNT-ID:root.`);
}

// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html (ResourceHandlingOption)
const RESOURCE_HANDLING = new Set([
  'EC2-VPC-InstanceStore', 'EC2-VPC-InstanceStore-Subnet', 'EC2-VPC-EBS', 'EC2-VPC-EBS-Subnet',
]);

function commonChecks(input: Record<string, unknown>): void {
  const h = optStr(input, 'ResourceHandlingOption');
  if (h !== undefined && !RESOURCE_HANDLING.has(h)) throw invalidInput(`Invalid ResourceHandlingOption ${h}.`);
}

function page(results: SimulationResult[], input: Record<string, unknown>): Record<string, unknown> {
  const startKey = decodeMarker(input.Marker);
  const start = startKey === undefined ? 0 : Number(startKey);
  if (!Number.isInteger(start) || start < 0 || start > results.length) throw invalidInput('Invalid Marker.');
  const max = typeof input.MaxItems === 'number' ? input.MaxItems : 100;
  const slice = results.slice(start, start + max);
  const truncated = start + max < results.length;
  const out: Record<string, unknown> = { EvaluationResults: slice.map((r) => r.output), IsTruncated: truncated };
  if (truncated) out.Marker = encodeMarker(String(start + max));
  return out;
}

function organizationPolicyLevels(input: Record<string, unknown>, account: string): PolicyLevel[] | undefined {
  const v = input.OrderedOrganizationPolicyInputList;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v.map((lvl, i) => {
    const texts = stringList(((lvl ?? {}) as Record<string, unknown>).ServiceControlPolicyInputList);
    const policies = texts.map((t, j) => {
      const id = `OrderedOrganizationPolicyInputList.${i + 1}.ServiceControlPolicyInputList.${j + 1}`;
      const r = loadPolicy(t, { id, type: 'scp', name: id });
      if (!r.ok) throw invalidInput(`${id} is not a valid service control policy: ${r.issues[0]?.message ?? 'syntax errors in policy'}`);
      return r.policy;
    });
    return { target: i === v.length - 1 ? account : `level-${i + 1}`, policies };
  });
}

export const simulatorOperations: OperationTable = {
  async SimulatePrincipalPolicy(ctx, input) {
    const sourceArn = str(input, 'PolicySourceArn');
    ctx.authorize('iam:SimulatePrincipalPolicy', sourceArn);
    commonChecks(input);
    const account = ctx.caller.accountId;
    const { source, org } = await ctx.store.read(async (tx) => ({
      source: await loadSource(tx, account, sourceArn),
      org: await OrganizationView.load(tx),
    }));
    const excluded = new Set(stringList(input.PolicyExclusionList).map((x) => x.toLowerCase()));
    const identity: SimPolicy[] = [];
    for (const p of source.policies) {
      if (excluded.has(p.sourceId.toLowerCase())) continue;
      const r = loadPolicy(p.text, { id: p.key, type: 'identity', name: p.sourceId });
      if (!r.ok) throw iamError('PolicyEvaluation', `Policy ${p.sourceId} of ${source.arn} could not be evaluated.`);
      identity.push({ sourceId: p.sourceId, sourceType: p.sourceType, text: p.text, compiled: r.policy });
    }
    identity.push(...inputPolicies(input));
    let boundary = inputBoundary(input);
    if (!boundary && source.boundary) {
      const r = loadPolicy(source.boundary.text, { id: `boundary:${source.boundary.sourceId}`, type: 'boundary', name: source.boundary.sourceId });
      if (!r.ok) throw iamError('PolicyEvaluation', `The permissions boundary of ${source.arn} could not be evaluated.`);
      boundary = { sourceId: source.boundary.sourceId, sourceType: 'none', text: source.boundary.text, compiled: r.policy };
    }
    const callerArn = optStr(input, 'CallerArn');
    const resourcePolicyText = optStr(input, 'ResourcePolicy');
    let principal: Principal;
    if (callerArn !== undefined) principal = userPrincipal(callerArn);
    else if (source.type === 'user') principal = { kind: 'user', accountId: account, arn: source.arn };
    else if (resourcePolicyText !== undefined) {
      throw invalidInput('CallerArn is required when you include a ResourcePolicy and PolicySourceArn is not the ARN of an IAM user.');
    } else if (source.type === 'role') principal = { kind: 'assumedRole', accountId: account, arn: source.arn, roleArn: source.arn };
    else principal = { kind: 'user', accountId: account, arn: source.arn };
    const spec: SimulationSpec = {
      principal, identity, actions: stringList(input.ActionNames), resources: stringList(input.ResourceArns),
      context: contextFromEntries(input.ContextEntries), resourceOwner: resourceOwnerOf(input),
    };
    if (boundary) spec.boundary = boundary;
    if (resourcePolicyText !== undefined) spec.resourcePolicy = simPolicy(resourcePolicyText, 'resource', 'ResourcePolicy', 'resource');
    const scp = org.scpLevels(account);
    if (scp) { spec.scp = scp; spec.managementAccountId = org.managementAccountId(account); }
    return page(simulate(spec), input);
  },

  async SimulateCustomPolicy(ctx, input) {
    ctx.authorize('iam:SimulateCustomPolicy', '*');
    commonChecks(input);
    const account = ctx.caller.accountId;
    const callerArn = optStr(input, 'CallerArn');
    const resourcePolicyText = optStr(input, 'ResourcePolicy');
    if (resourcePolicyText !== undefined && callerArn === undefined) {
      throw invalidInput('CallerArn is required when you include a ResourcePolicy.');
    }
    const principal: Principal = callerArn !== undefined ? userPrincipal(callerArn) : { kind: 'user', accountId: account };
    const spec: SimulationSpec = {
      principal, identity: inputPolicies(input), actions: stringList(input.ActionNames),
      resources: stringList(input.ResourceArns), context: contextFromEntries(input.ContextEntries),
      resourceOwner: resourceOwnerOf(input),
    };
    const boundary = inputBoundary(input);
    if (boundary) spec.boundary = boundary;
    if (resourcePolicyText !== undefined) spec.resourcePolicy = simPolicy(resourcePolicyText, 'resource', 'ResourcePolicy', 'resource');
    const scp = organizationPolicyLevels(input, principal.accountId ?? account);
    if (scp) spec.scp = scp;
    return page(simulate(spec), input);
  },

  async GetContextKeysForPrincipalPolicy(ctx, input) {
    const sourceArn = str(input, 'PolicySourceArn');
    ctx.authorize('iam:GetContextKeysForPrincipalPolicy', sourceArn);
    const account = ctx.caller.accountId;
    const source = await ctx.store.read((tx) => loadSource(tx, account, sourceArn));
    const extra = stringList(input.PolicyInputList);
    extra.forEach((t, i) => simPolicy(t, 'identity', `PolicyInputList.${i + 1}`, 'IAM Policy'));
    return { ContextKeyNames: contextKeysOf([...source.policies.map((p) => p.text), ...extra]) };
  },

  async GetContextKeysForCustomPolicy(ctx, input) {
    ctx.authorize('iam:GetContextKeysForCustomPolicy', '*');
    const texts = stringList(input.PolicyInputList);
    texts.forEach((t, i) => simPolicy(t, 'identity', `PolicyInputList.${i + 1}`, 'IAM Policy'));
    return { ContextKeyNames: contextKeysOf(texts) };
  },
};
