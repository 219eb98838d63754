import { InputError } from '../errors';
import type { ProviderConfig } from './config';

export const STORE_CHOICES = ['auto', 'keychain', 'file'] as const;
export type StoreChoice = (typeof STORE_CHOICES)[number];

export const STORE_VARIABLE = 'KEYLESS_AWS_SESSION_STORE';

/**
 * session-store: the flag of this call, else KEYLESS_AWS_SESSION_STORE, else the provider's key, else auto. A bad value
 * is reported as the user wrote it: flag, variable or file line.
 */
export function storeChoice(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  provider: ProviderConfig | undefined,
): { choice: StoreChoice; from: string } {
  const fromFile = provider?.values.get('session-store');
  const [value, from] =
    flag !== undefined
      ? [flag, '--session-store']
      : env[STORE_VARIABLE]
        ? [env[STORE_VARIABLE], STORE_VARIABLE]
        : fromFile !== undefined
          ? [fromFile, `key "session-store" (${provider?.where.get('session-store')})`]
          : ['auto', 'default'];
  if (!(STORE_CHOICES as readonly string[]).includes(value)) {
    throw new InputError(
      `${from} must be one of ${STORE_CHOICES.join(', ')}, got ${JSON.stringify(value)}.`,
      'auto: the OS keychain where one exists, else a 0600 file; keychain: the keychain or an error; file: never the keychain.',
    );
  }
  return { choice: value as StoreChoice, from };
}
