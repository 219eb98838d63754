import { execFileSync } from 'node:child_process';
import { formatVariables, posixQuote, powershellQuote } from '../../src/sink/shell-formats';

const tricky = `a'b"c $HOME \`id\` \\n; |&*? ‘x’`;

test('export quotes every value so that sh evaluates it back to the exact text', () => {
  const text = formatVariables({ AWS_SECRET_ACCESS_KEY: tricky, AWS_REGION: 'eu-west-1' }, 'export');
  expect(text).toBe(`export AWS_SECRET_ACCESS_KEY=${posixQuote(tricky)}\nexport AWS_REGION='eu-west-1'\n`);
  const out = execFileSync('sh', ['-c', 'eval "$1"; printf %s "$AWS_SECRET_ACCESS_KEY"', 'sh', text], {
    encoding: 'utf8',
  });
  expect(out).toBe(tricky);
});

test('dotenv is KEY=VALUE without quotes and refuses what docker or Java properties would mangle', () => {
  expect(formatVariables({ A: 'x+y/z=', B: 'with space' }, 'dotenv')).toBe('A=x+y/z=\nB=with space\n');
  expect(() => formatVariables({ A: 'two\nlines' }, 'dotenv')).toThrow(/newline or backslash/);
  expect(() => formatVariables({ A: 'back\\slash' }, 'dotenv')).toThrow(/dotenv format cannot carry/);
});

test('json is one object; powershell doubles every kind of single quote', () => {
  expect(JSON.parse(formatVariables({ A: tricky }, 'json'))).toEqual({ A: tricky });
  expect(powershellQuote("it's ‘so’")).toBe("'it''s ‘‘so’’'");
  expect(formatVariables({ AWS_REGION: 'us-east-1' }, 'powershell')).toBe("$Env:AWS_REGION = 'us-east-1'\n");
});

test('a name that is not a variable name is a programming error, never printed into a shell', () => {
  expect(() => formatVariables({ 'A;rm -rf': 'x' }, 'export')).toThrow(/not a variable name/);
});
