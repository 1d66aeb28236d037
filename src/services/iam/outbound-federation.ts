// Outbound identity federation, the account's switch (IAM API reference,
// EnableOutboundWebIdentityFederation, DisableOutboundWebIdentityFederation,
// GetOutboundWebIdentityFederationInfo; IAM User Guide, "Getting started with outbound identity
// federation"). Account-wide actions without a resource: AWS authorizes them on `*`.
//
// - Enable creates the account's issuer (id and signing keys, outbound-issuer.ts) the first time;
//   enabling again after a disable keeps the issuer and its keys, so that external services'
//   trust in the issuer URL survives. Enabling an enabled account: FeatureEnabled (409).
// - Disable stops GetWebIdentityToken; tokens issued before stay verifiable ("This operation does
//   not affect tokens that were issued before the feature was disabled"), so the issuer's
//   discovery and JWKS documents stay published. Disabling a disabled (or never enabled)
//   account: FeatureDisabled (404).
// - GetOutboundWebIdentityFederationInfo: the issuer URL and `JwtVendingEnabled`; an account that
//   never enabled the feature has no issuer: FeatureDisabled.
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import { iamError } from './common.js';
import { secretsOf } from './credential-owner.js';
import {
  generateSigningKeys, issuerUrl, OUTBOUND_FEDERATION_KEY, OUTBOUND_FEDERATION_KIND, readOutboundFederation,
  type OutboundFederationDoc,
} from './outbound-issuer.js';

const ENABLED_MESSAGE = 'Outbound identity federation is already enabled for your AWS account.';
const DISABLED_MESSAGE = 'Outbound identity federation is disabled for your AWS account.';

function featureEnabled() {
  return iamError('FeatureEnabled', ENABLED_MESSAGE);
}

function featureDisabled() {
  return iamError('FeatureDisabled', DISABLED_MESSAGE);
}

/** The public URL issuers live under; a runtime without one cannot name an issuer. */
function publicUrlOf(ctx: CallContext): string {
  if (ctx.publicUrl === undefined) {
    throw iamError('ServiceFailure', 'outbound identity federation needs the server\'s public URL (`warden serve --public-url`, WARDEN_PUBLIC_URL)');
  }
  return ctx.publicUrl;
}

export const outboundFederationOperations: OperationTable = {
  async EnableOutboundWebIdentityFederation(ctx) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:EnableOutboundWebIdentityFederation', '*');
    const base = publicUrlOf(ctx);
    const before = await ctx.store.read((tx) => readOutboundFederation(tx, account));
    if (before?.Enabled) throw featureEnabled();
    // Key generation (RSA especially) takes long: outside the transaction, and only for a first enable.
    const keys = before ? undefined : await generateSigningKeys(secretsOf(ctx), account, ctx.now);
    const now = ctx.now.toISOString();
    const doc = await ctx.store.transaction(async (tx) => {
      const current = await tx.get<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, account, OUTBOUND_FEDERATION_KEY);
      if (current) {
        if (current.data.Enabled) throw featureEnabled();
        const data: OutboundFederationDoc = { ...current.data, Enabled: true, EnabledAt: now };
        await tx.update({ kind: OUTBOUND_FEDERATION_KIND, account, key: OUTBOUND_FEDERATION_KEY, data, version: current.version });
        return data;
      }
      if (!keys) throw featureEnabled(); // INVARIANT: only when another call created it in between and then disabled it.
      const data: OutboundFederationDoc = { IssuerId: randomUUID(), Enabled: true, EnabledAt: now, Keys: keys };
      try {
        await tx.insert({ kind: OUTBOUND_FEDERATION_KIND, account, key: OUTBOUND_FEDERATION_KEY, id: data.IssuerId, data });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw featureEnabled();
        throw e;
      }
      return data;
    });
    return { IssuerIdentifier: issuerUrl(base, doc.IssuerId) };
  },

  async DisableOutboundWebIdentityFederation(ctx) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:DisableOutboundWebIdentityFederation', '*');
    await ctx.store.transaction(async (tx) => {
      const current = await tx.get<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, account, OUTBOUND_FEDERATION_KEY);
      if (!current || !current.data.Enabled) throw featureDisabled();
      const data: OutboundFederationDoc = { ...current.data, Enabled: false, DisabledAt: ctx.now.toISOString() };
      await tx.update({ kind: OUTBOUND_FEDERATION_KIND, account, key: OUTBOUND_FEDERATION_KEY, data, version: current.version });
    });
    return undefined;
  },

  async GetOutboundWebIdentityFederationInfo(ctx) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:GetOutboundWebIdentityFederationInfo', '*');
    const base = publicUrlOf(ctx);
    const doc = await ctx.store.read((tx) => readOutboundFederation(tx, account));
    if (!doc) throw featureDisabled();
    return { IssuerIdentifier: issuerUrl(base, doc.IssuerId), JwtVendingEnabled: doc.Enabled };
  },
};
