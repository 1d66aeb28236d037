// The BinaryEquals condition operator: "compares the value of the specified key byte for byte
// against a base-64 encoded representation of the binary value in the policy"; no policy
// variables. AWS documents no BinaryNotEquals, so there is none.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
//
// Policy values must be canonical base64 (RFC 4648 alphabet, padded). The request value is
// base64 too; it matches when it decodes to the same bytes (the same text matches without
// decoding). A request value that is not base64 matches nothing.
import { invalidValue, show } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue } from './types.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when the text is padded standard base64. */
export function isBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64.test(s);
}

/** Compiles the values of a BinaryEquals clause. */
export function compileBinary(input: FamilyInput): FamilyCompileResult {
  const texts: string[] = [];
  const bytes: Buffer[] = [];
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    if (typeof v !== 'string' || !isBase64(v)) {
      issues.push(invalidValue(input.path, i, `\`${show(v)}\` is not base64`));
      return;
    }
    texts.push(v);
    bytes.push(Buffer.from(v, 'base64'));
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    kind: 'value',
    matches: (v) => {
      for (let i = 0; i < texts.length; i++) if (v === texts[i]) return true;
      if (!isBase64(v)) return false;
      const decoded = Buffer.from(v, 'base64');
      for (let i = 0; i < bytes.length; i++) if (decoded.equals(bytes[i])) return true;
      return false;
    },
  };
}
