/**
 * What a keychain tool's stderr may put into a message: never a long hex or base64 run, which is how an echoed
 * command line would carry the secret (`security -i`'s `-X <hex>`, a PowerShell blob).
 */
import { firstLine } from '../../../src/auth/keychain/keychain';

test('an echoed secret (hex or base64) is cut out of the first line of stderr', () => {
  const secret = Buffer.from('{"idToken":"eyJhbGciOiJSUzI1NiJ9.payload.sig"}', 'utf8');
  const hex = `security: add-generic-password -U -s keyless-aws -a work -X ${secret.toString('hex')}: bad option\nmore`;
  expect(firstLine(hex)).toBe('security: add-generic-password -U -s keyless-aws -a work -X […]: bad option');
  expect(firstLine(`error near '${secret.toString('base64')}'`)).toBe("error near '[…]'");
  expect(firstLine('User interaction is not allowed.')).toBe('User interaction is not allowed.');
  const locked = 'security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.';
  expect(firstLine(locked)).toBe(locked);
  expect(firstLine('  \n')).toBe('no message');
});
