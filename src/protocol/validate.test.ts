import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceModel } from './model.js';
import { compilePattern, formatValidationMessage, validateInput } from './validate.js';

const model: ServiceModel = {
  metadata: { apiVersion: '2020-01-01', protocol: 'json', serviceId: 'Test' },
  operations: {},
  shapes: {
    Input: {
      type: 'structure', required: ['Name'],
      members: {
        Name: { shape: 'Name' }, Ids: { shape: 'IdList' }, Tags: { shape: 'TagMap' }, Secret: { shape: 'Secret' },
        Items: { shape: 'ItemList' }, Count: { shape: 'Count' }, Text: { shape: 'Text' },
      },
    },
    Name: { type: 'string', min: 1, max: 8, pattern: '[a-z]+' },
    Id: { type: 'string', min: 2, max: 3 },
    IdList: { type: 'list', member: { shape: 'Id' }, max: 2 },
    TagKey: { type: 'string', min: 1, max: 4 },
    TagMap: { type: 'map', key: { shape: 'TagKey' }, value: { shape: 'Id' } },
    Secret: { type: 'string', min: 4, sensitive: true },
    Item: { type: 'structure', required: ['Key'], members: { Key: { shape: 'Name' } } },
    ItemList: { type: 'list', member: { shape: 'Item' } },
    Count: { type: 'integer', min: 1, max: 10 },
    Text: { type: 'string', max: 2, pattern: '(?s).*' },
  },
};

const ref = { shape: 'Input' };
const cases: Array<{ name: string; input: Record<string, unknown>; message?: string; echoed?: string }> = [
  { name: 'valid input', input: { Name: 'abc', Ids: ['ab'], Tags: { k: 'ab' }, Count: 5 } },
  {
    name: 'required member', input: {},
    message: "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must not be null",
    echoed: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
  },
  {
    name: 'pattern then length, each its own issue', input: { Name: '' },
    message: "2 validation errors detected: Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
      "Value at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
  },
  {
    name: 'scalar list elements are reported once for the list', input: { Name: 'a', Ids: ['ab', 'x'] },
    message: "1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must satisfy constraint: " +
      '[Member must have length less than or equal to 3, Member must have length greater than or equal to 2, Member must not be null]',
    echoed: "1 validation error detected: Value '[ab, x]' at 'ids' failed to satisfy constraint: Member must satisfy constraint: " +
      '[Member must have length less than or equal to 3, Member must have length greater than or equal to 2, Member must not be null]',
  },
  {
    name: 'list length', input: { Name: 'a', Ids: ['ab', 'ab', 'ab'] },
    message: "1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length less than or equal to 2",
  },
  {
    name: 'map keys and values', input: { Name: 'a', Tags: { toolong: 'x' } },
    message: "2 validation errors detected: Value at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: " +
      '[Member must have length less than or equal to 4, Member must have length greater than or equal to 1, Member must not be null]; ' +
      "Value at 'tags' failed to satisfy constraint: Map value must satisfy constraint: " +
      '[Member must have length less than or equal to 3, Member must have length greater than or equal to 2, Member must not be null]',
  },
  {
    name: 'structures in lists are addressed by position', input: { Name: 'a', Items: [{ Key: 'ok' }, {}] },
    message: "1 validation error detected: Value at 'items.2.member.key' failed to satisfy constraint: Member must not be null",
  },
  {
    name: 'numeric range', input: { Name: 'a', Count: 0 },
    message: "1 validation error detected: Value at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
    echoed: "1 validation error detected: Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
  },
  {
    name: 'sensitive values are never echoed', input: { Name: 'a', Secret: 'abc' },
    echoed: "1 validation error detected: Value at 'secret' failed to satisfy constraint: Member must have length greater than or equal to 4",
  },
  {
    name: 'length counts code points', input: { Name: 'a', Text: '😀😀' },
  },
  { name: 'Java inline flags: (?s) lets . match newlines', input: { Name: 'a', Text: 'a\n' } },
];

for (const c of cases) {
  test(`validate: ${c.name}`, () => {
    const issues = validateInput(model, ref, c.input);
    if (c.message === undefined && c.echoed === undefined) {
      assert.deepEqual(issues, []);
      return;
    }
    if (c.message !== undefined) assert.equal(formatValidationMessage(issues), c.message);
    if (c.echoed !== undefined) assert.equal(formatValidationMessage(issues, { echoValues: true }), c.echoed);
  });
}

test('patterns match the whole value', () => {
  assert.equal(compilePattern('[a-z]+')?.test('abc1'), false);
  assert.equal(compilePattern('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*')?.test('Ünïcode tag'), true);
  assert.equal(compilePattern('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+')?.test('tab\there'), true);
});
