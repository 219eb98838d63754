// The config-file JSON error locator: it must agree with JSON.parse on what is valid, and point where V8 points,
// while the message built from it quotes nothing of the text.
import { jsonSyntaxErrorPosition } from '../../src/emulator/json-syntax';

const VALID = [
  '{}',
  '[]',
  ' {"a": [1, -2.5e+3, 0, true, false, null, "x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"]}\n',
  '"just a string"',
  '0',
  '{"accessKeys": [{"accessKeyId": "AKIAEXAMPLE000000001", "secretAccessKey": "s3cr3t", "tags": {}}]}',
];

const INVALID: Array<[string, number, number]> = [
  ['', 1, 1],
  ['{"a": 1,}', 1, 9],
  ['{"a" 1}', 1, 6],
  ['{\n  "secretAccessKey": wJalrXUtnFEMI\n}', 2, 22],
  ['{"a": "line\nbreak"}', 1, 12],
  ['[1, 2] 3', 1, 8],
  ['{"a": 01}', 1, 8],
  ['{"a": "\\x"}', 1, 9],
  ["{'a': 1}", 1, 2],
  ['{"a": tru}', 1, 7],
  ['\ufeff{}', 1, 1],
];

test.each(VALID)('valid: %j', (text) => {
  expect(() => JSON.parse(text)).not.toThrow();
  expect(jsonSyntaxErrorPosition(text)).toBeUndefined();
});

test.each(INVALID)('invalid: %j at line %i, column %i', (text, line, column) => {
  expect(() => JSON.parse(text)).toThrow(SyntaxError);
  expect(jsonSyntaxErrorPosition(text)).toMatchObject({ line, column });
});

test('agrees with JSON.parse on thousands of damaged config files (and with V8 on the position, when it says)', () => {
  const base = JSON.stringify(
    {
      accountId: '123456789012',
      roles: [{ name: 'r', assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*' }] } }],
      accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'wJalr/XUtn+FEMI', tags: { a: 'b' } }],
      n: [0, -1.5, 2e10, true, false, null],
    },
    null,
    2,
  );
  const alphabet = '{}[]:,"\\ \n-+.eE0123456789tfnulx/';
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 3000; round++) {
    const chars = [...base];
    for (let edits = 1 + random(3); edits > 0; edits--) {
      const at = random(chars.length);
      const kind = random(3);
      if (kind === 0) chars.splice(at, 1);
      else if (kind === 1) chars.splice(at, 0, alphabet[random(alphabet.length)] as string);
      else chars[at] = alphabet[random(alphabet.length)] as string;
    }
    const text = chars.join('');
    let v8: Error | undefined;
    try {
      JSON.parse(text);
    } catch (error) {
      v8 = error as Error;
    }
    const ours = jsonSyntaxErrorPosition(text);
    expect({ text, invalid: ours !== undefined }).toEqual({ text, invalid: v8 !== undefined });
    const v8Offset = /at position (\d+)/.exec(v8?.message ?? '')?.[1];
    if (v8Offset !== undefined) expect({ text, offset: ours?.offset }).toEqual({ text, offset: Number(v8Offset) });
  }
});
