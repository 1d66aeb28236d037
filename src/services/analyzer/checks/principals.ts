// Checks of Principal/NotPrincipal in resource policies: shape, keys, wildcards, unique-ID
// references, empty values, and Allow with NotPrincipal.
import { at, stringsOf, type CheckContext, type Statement } from './common.js';

const KEYS = new Set(['AWS', 'CanonicalUser', 'Federated', 'Service']);

export function checkPrincipals(ctx: CheckContext, s: Statement): void {
  if (ctx.policyType === 'IDENTITY_POLICY' || ctx.policyType === 'SERVICE_CONTROL_POLICY') return;
  const np = s.el.get('NotPrincipal');
  if (np && s.effect === 'Allow') {
    ctx.report('ALLOW_WITH_NOT_PRINCIPAL', 'Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.', { path: [...s.path, 'NotPrincipal'], start: np.keyStart, end: np.keyEnd });
  }
  for (const name of ['Principal', 'NotPrincipal'] as const) {
    const e = s.el.get(name);
    if (!e) continue;
    const p = [...s.path, name];
    const v = e.value;
    if (v.kind === 'string') {
      if (v.value !== '*') ctx.report('INVALID_PRINCIPAL_FORMAT', 'The Principal element contents are not valid. Specify a key-value pair in the Principal element.', at(p, v));
      continue;
    }
    if (v.kind === 'array' && v.items.length === 0) {
      ctx.report('EMPTY_ARRAY_PRINCIPAL', 'This statement includes no principals and does not affect the policy. Specify principals.', at(p, v));
      continue;
    }
    if (v.kind !== 'object') {
      ctx.report('INVALID_PRINCIPAL_FORMAT', 'The Principal element contents are not valid. Specify a key-value pair in the Principal element.', at(p, v));
      continue;
    }
    if (v.entries.length === 0) {
      ctx.report('EMPTY_OBJECT_PRINCIPAL', 'This statement includes no principals and does not affect the policy. Specify principals.', at(p, v));
      continue;
    }
    for (const k of v.entries) {
      const kp = [...p, k.key];
      if (!KEYS.has(k.key)) {
        ctx.report('INVALID_PRINCIPAL_KEY', `The principal key ${k.key} is not valid.`, { path: kp, start: k.keyStart, end: k.keyEnd });
        continue;
      }
      if (k.value.kind === 'array' && k.value.items.length === 0) {
        ctx.report('EMPTY_ARRAY_PRINCIPAL', 'This statement includes no principals and does not affect the policy. Specify principals.', at(kp, k.value));
        continue;
      }
      if (!(k.value.kind === 'string' || (k.value.kind === 'array' && k.value.items.every((i) => i.kind === 'string')))) {
        ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', at(kp, k.value));
        continue;
      }
      for (const val of stringsOf(kp, k.value)) {
        if (val.value.includes('${')) {
          ctx.report('VARIABLE_UNSUPPORTED_IN_ELEMENT', `Policy variables are supported in the Resource and Condition elements. Remove the policy variable ${/\$\{[^}]*\}?/.exec(val.value)?.[0]} from this element.`, val.at);
          continue;
        }
        if (val.value !== '*' && /[*?]/.test(val.value) && k.key !== 'Service') {
          ctx.report('UNSUPPORTED_WILDCARD_IN_PRINCIPAL', `Wildcards (*, ?) are not supported with the principal key ${k.key}. Replace the wildcard with a valid principal value.`, val.at);
          continue;
        }
        if (k.key === 'AWS' && /^AROA[A-Z0-9]{10,}$/.test(val.value)) ctx.report('INVALID_ROLE_REFERENCE', `The Principal element includes the IAM role ID ${val.value}. We recommend that you use a role ARN instead.`, val.at);
        if (k.key === 'AWS' && /^AIDA[A-Z0-9]{10,}$/.test(val.value)) ctx.report('INVALID_USER_REFERENCE', `The Principal element includes the IAM user ID ${val.value}. We recommend that you use a user ARN instead.`, val.at);
      }
    }
  }
}
