import { parseProvidersFile } from '../../src/auth/config';
import { storeChoice } from '../../src/auth/store-choice';

const file = (value: string) =>
  parseProvidersFile(
    '/home/p/.config/keyless-aws/config',
    `[provider work]\nissuer = https://login.example.com\nclient-id = laptop\nsession-store = ${value}\n`,
  ).providers.get('work')!;

test('the flag wins over KEYLESS_AWS_SESSION_STORE, which wins over the providers file; auto by default', () => {
  expect(storeChoice('file', { KEYLESS_AWS_SESSION_STORE: 'keychain' }, file('auto'))).toEqual({
    choice: 'file',
    from: '--session-store',
  });
  expect(storeChoice(undefined, { KEYLESS_AWS_SESSION_STORE: 'keychain' }, file('file'))).toEqual({
    choice: 'keychain',
    from: 'KEYLESS_AWS_SESSION_STORE',
  });
  expect(storeChoice(undefined, {}, file('file'))).toEqual({
    choice: 'file',
    from: 'key "session-store" (/home/p/.config/keyless-aws/config:4)',
  });
  expect(storeChoice(undefined, {}, undefined)).toEqual({ choice: 'auto', from: 'default' });
});

test('a bad value is reported where the user wrote it', () => {
  expect(() => storeChoice(undefined, {}, file('vault'))).toThrow(
    'Key "session-store" (/home/p/.config/keyless-aws/config:4) must be one of auto, keychain, file, got "vault".',
  );
  expect(() => storeChoice('yes', {}, undefined)).toThrow(
    '--session-store must be one of auto, keychain, file, got "yes".',
  );
});
