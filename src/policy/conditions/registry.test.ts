import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCondition, listOperators, parseOperator } from './index.js';
import type { ParsedOperator, RequestContext } from './types.js';

describe('parseOperator', () => {
  const cases: { name: string; text: string; want: Omit<ParsedOperator, 'name'> | undefined }[] = [
    { name: 'a plain operator', text: 'StringEquals', want: { base: 'StringEquals', family: 'String', negated: false, ifExists: false, set: undefined } },
    { name: 'a negated operator', text: 'StringNotLike', want: { base: 'StringNotLike', family: 'String', negated: true, ifExists: false, set: undefined } },
    { name: 'NotIpAddress is negated', text: 'NotIpAddress', want: { base: 'NotIpAddress', family: 'IpAddress', negated: true, ifExists: false, set: undefined } },
    { name: 'IfExists suffix', text: 'NumericLessThanIfExists', want: { base: 'NumericLessThan', family: 'Numeric', negated: false, ifExists: true, set: undefined } },
    {
      name: 'set prefix and IfExists',
      text: 'ForAllValues:StringNotLikeIfExists',
      want: { base: 'StringNotLike', family: 'String', negated: true, ifExists: true, set: 'ForAllValues' },
    },
    { name: 'ForAnyValue prefix', text: 'ForAnyValue:ArnLike', want: { base: 'ArnLike', family: 'Arn', negated: false, ifExists: false, set: 'ForAnyValue' } },
    { name: 'Null', text: 'Null', want: { base: 'Null', family: 'Null', negated: false, ifExists: false, set: undefined } },
    { name: 'Null cannot take IfExists', text: 'NullIfExists', want: undefined },
    { name: 'operator names are case-sensitive', text: 'stringEquals', want: undefined },
    { name: 'set prefixes are case-sensitive', text: 'forallvalues:StringEquals', want: undefined },
    { name: 'IfExists is case-sensitive', text: 'StringEqualsifexists', want: undefined },
    { name: 'a misspelt operator', text: 'StringLikee', want: undefined },
    { name: 'IfExists alone', text: 'IfExists', want: undefined },
    { name: 'IfExists twice', text: 'StringEqualsIfExistsIfExists', want: undefined },
    { name: 'two set prefixes', text: 'ForAllValues:ForAnyValue:StringEquals', want: undefined },
    { name: 'a prefix without an operator', text: 'ForAllValues:', want: undefined },
    { name: 'an Object.prototype name', text: 'toString', want: undefined },
    { name: 'BinaryNotEquals is not documented', text: 'BinaryNotEquals', want: undefined },
    { name: 'the empty string', text: '', want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseOperator(c.text), c.want && { name: c.text, ...c.want }));
  }

  it('parses every listed operator, with IfExists (except Null) and both set prefixes', () => {
    for (const op of listOperators()) {
      for (const prefix of ['', 'ForAllValues:', 'ForAnyValue:']) {
        assert.equal(parseOperator(prefix + op)?.base, op);
        assert.equal(parseOperator(prefix + op + 'IfExists')?.base, op === 'Null' ? undefined : op);
      }
    }
  });
});

describe('listOperators', () => {
  it('lists the 28 operators AWS documents', () => {
    assert.deepEqual([...listOperators()].sort(), [
      'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'BinaryEquals', 'Bool',
      'DateEquals', 'DateGreaterThan', 'DateGreaterThanEquals', 'DateLessThan', 'DateLessThanEquals', 'DateNotEquals',
      'IpAddress', 'NotIpAddress', 'Null',
      'NumericEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericNotEquals',
      'StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike',
    ].sort());
  });
});

describe('compileCondition issues', () => {
  it('reports an unknown operator with its path', () => {
    const r = compileCondition({ operator: 'StringLikee', key: 'aws:username', values: ['x'] }, '2012-10-17', ['Statement', 2, 'Condition', 'StringLikee', 'aws:username']);
    assert.deepEqual(r, {
      ok: false,
      issues: [{ code: 'unknown_condition_operator', path: ['Statement', 2, 'Condition', 'StringLikee', 'aws:username'], message: 'unknown condition operator `StringLikee`' }],
    });
  });

  it('reports every bad value, not only the first', () => {
    const r = compileCondition({ operator: 'NumericEquals', key: 'k', values: ['x', '1', 'y'] }, '2012-10-17', ['NumericEquals', 'k']);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.issues.map((i) => i.path), [['NumericEquals', 'k', 0], ['NumericEquals', 'k', 2]]);
  });

  it('reports values that are not a list', () => {
    const r = compileCondition({ operator: 'StringEquals', key: 'k', values: 'x' as never }, '2012-10-17', []);
    assert.equal(r.ok, false);
  });
});

// ---------------------------------------------------------------------------
// Properties

const operatorNames = fc.oneof(
  fc.string(),
  fc.constantFrom(...listOperators()).chain((op) =>
    fc.tuple(fc.constantFrom('', 'ForAllValues:', 'ForAnyValue:', 'forallvalues:'), fc.constantFrom('', 'IfExists', 'ifexists')).map(
      ([p, s]) => p + op + s,
    ),
  ),
);

describe('compileCondition (properties)', () => {
  it('never throws on arbitrary operator names and JSON values', () => {
    fc.assert(
      fc.property(operatorNames, fc.string(), fc.array(fc.jsonValue(), { maxLength: 4 }), fc.constantFrom('2012-10-17', '2008-10-17'), (op, key, values, version) => {
        const r = compileCondition({ operator: op, key, values: values as never }, version as '2012-10-17', ['Condition']);
        if (r.ok) {
          r.condition.test({});
          r.condition.test({ [key.toLowerCase()]: 'x' });
          r.condition.test({ [key.toLowerCase()]: ['1', '2020-01-01', '10.0.0.1'] });
        } else {
          assert.ok(r.issues.length > 0);
          for (const i of r.issues) assert.ok(i.code === 'unknown_condition_operator' || i.code === 'invalid_condition_value');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws when the values list itself is arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.constantFrom(...listOperators()), fc.jsonValue(), (op, values) => {
        compileCondition({ operator: op, key: 'k', values: values as never }, '2012-10-17', []);
      }),
    );
  });

  // For each positive/negated pair, on a present single value: Not… is the negation.
  const pairs: [string, string, fc.Arbitrary<string>][] = [
    ['StringEquals', 'StringNotEquals', fc.stringMatching(/^[ab*?]{0,3}$/)],
    ['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', fc.stringMatching(/^[aAbB]{0,3}$/)],
    ['StringLike', 'StringNotLike', fc.stringMatching(/^[ab*?]{0,4}$/)],
    ['NumericEquals', 'NumericNotEquals', fc.integer({ min: -3, max: 3 }).map(String)],
    ['DateEquals', 'DateNotEquals', fc.integer({ min: 0, max: 3 }).map((d) => `2020-01-0${d + 1}`)],
    ['IpAddress', 'NotIpAddress', fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 30, max: 32 })).map(([h, p]) => `10.0.0.${h}/${p}`)],
    ['ArnEquals', 'ArnNotEquals', fc.constantFrom('arn:aws:s3:::a', 'arn:aws:s3:::*', 'arn:aws:*:*:*:*', '*', 'arn:aws:s3:::b?')],
    ['ArnLike', 'ArnNotLike', fc.constantFrom('arn:aws:s3:::a', 'arn:aws:s3:::*', 'arn:aws:*:*:*:*', '*', 'arn:aws:s3:::b?')],
  ];
  const requestValues: Record<string, fc.Arbitrary<string>> = {
    String: fc.stringMatching(/^[abAB*?]{0,4}$/),
    Numeric: fc.oneof(fc.integer({ min: -3, max: 3 }).map(String), fc.constant('x')),
    Date: fc.oneof(fc.integer({ min: 1, max: 4 }).map((d) => `2020-01-0${d}T00:00:00Z`), fc.constant('never')),
    IpAddress: fc.oneof(fc.integer({ min: 0, max: 5 }).map((h) => `10.0.0.${h}`), fc.constant('::1')),
    Arn: fc.constantFrom('arn:aws:s3:::a', 'arn:aws:s3:::b1', 'arn:aws:sqs:us-east-1:1:q', 'x'),
  };
  for (const [pos, neg, policyValue] of pairs) {
    it(`${neg} is the negation of ${pos} for a present single value`, () => {
      const family = parseOperator(pos)!.family;
      fc.assert(
        fc.property(fc.array(policyValue, { minLength: 1, maxLength: 3 }), requestValues[family], (values, v) => {
          const p = compileCondition({ operator: pos, key: 'k', values }, '2012-10-17', []);
          const n = compileCondition({ operator: neg, key: 'k', values }, '2012-10-17', []);
          assert.ok(p.ok && n.ok);
          const ctx: RequestContext = { k: v };
          return p.condition.test(ctx) === !n.condition.test(ctx);
        }),
      );
    });
  }

  it('ForAllValues and ForAnyValue agree with their definitions', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }), fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), (policy: string[], request: string[]) => {
        const ctx: RequestContext = { k: request };
        const all = compileCondition({ operator: 'ForAllValues:StringEquals', key: 'k', values: policy }, '2012-10-17', []);
        const any = compileCondition({ operator: 'ForAnyValue:StringEquals', key: 'k', values: policy }, '2012-10-17', []);
        assert.ok(all.ok && any.ok);
        return (
          all.condition.test(ctx) === request.every((r) => policy.includes(r)) &&
          any.condition.test(ctx) === request.some((r) => policy.includes(r))
        );
      }),
    );
  });
});
