// Which way a token travels to STS: straight to AssumeRoleWithWebIdentity, or first through a Cognito identity pool
// (GetId → GetOpenIdToken), after which STS sees Cognito's token, not the one we started with. Decided here, once,
// from the same settings for every command that presents a token (auth, exec, the action) or judges one (roles),
// so a command can never judge a token other than the one STS will be given.
import { InputError } from '../errors';
import { shownValue } from '../secrets';
import { endpointUrl } from './endpoint-url';
import type { CognitoSettings, Settings } from './types';
import type { SettingsReader } from './values';

export type ExchangeRoute =
  /** The token itself is presented to STS. */
  | { readonly kind: 'sts' }
  /** The token is a login of the identity pool; STS is given the Cognito token GetOpenIdToken returns. */
  | { readonly kind: 'cognito'; readonly pool: CognitoSettings };

/** The settings that decide the route (and nothing else does). */
export const EXCHANGE_ROUTE_INPUTS = [
  'cognito-identity-pool-id',
  'cognito-provider-name',
  'cognito-region',
  'cognito-endpoint',
  'aws-account-id',
] as const;

const REGION = /^[a-z0-9-]+$/;
const ACCOUNT_ID = /^\d{12}$/;
// Region names of every partition: us-east-1, cn-north-1, us-gov-west-1, eusc-de-east-1, us-isob-east-1.
const POOL_ID = /^([a-z]+(?:-[a-z]+)+-\d+):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A Logins key: the issuer without its scheme (a user-pool key also has a path), never a URL. */
const PROVIDER_NAME = /^(?![a-z][a-z0-9+.-]*:\/\/)[^\s]{1,128}$/i;

function readPool(read: SettingsReader, identityPoolId: string): CognitoSettings {
  const match = POOL_ID.exec(identityPoolId);
  if (!match) {
    throw new InputError(
      `${read.label('cognito-identity-pool-id')} must look like <region>:<uuid>, e.g. eu-west-1:11111111-2222-3333-4444-555555555555; got ${shownValue(identityPoolId)}.`,
    );
  }
  const region = read.string('cognito-region') ?? match[1]!;
  if (!REGION.test(region))
    throw new InputError(
      `${read.label('cognito-region')} must be a region name such as eu-west-1, got ${shownValue(region)}.`,
    );
  const accountId = read.string('aws-account-id');
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) {
    throw new InputError(`${read.label('aws-account-id')} must be 12 digits, got ${shownValue(accountId)}.`);
  }
  const providerName = read.string('cognito-provider-name');
  if (providerName !== undefined && !PROVIDER_NAME.test(providerName)) {
    throw new InputError(
      `${read.label('cognito-provider-name')} is the token issuer without https:// as the identity pool lists it (e.g. token.actions.githubusercontent.com), at most 128 characters; got ${shownValue(providerName)}.`,
    );
  }
  const endpoint = endpointUrl(read, 'cognito-endpoint', ['AWS_ENDPOINT_URL_COGNITO_IDENTITY', 'AWS_ENDPOINT_URL']);
  return {
    identityPoolId,
    region,
    ...(providerName ? { providerName } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(accountId ? { accountId } : {}),
  };
}

/** The route the settings ask for: through Cognito exactly when an identity pool id is given. */
export function readExchangeRoute(read: SettingsReader): ExchangeRoute {
  const identityPoolId = read.string('cognito-identity-pool-id');
  if (identityPoolId === undefined) return { kind: 'sts' };
  return { kind: 'cognito', pool: readPool(read, identityPoolId) };
}

/** The route of parsed settings (Settings keeps the pool, if any, as `cognito`). */
export function routeOf(settings: Pick<Settings, 'cognito'>): ExchangeRoute {
  return settings.cognito ? { kind: 'cognito', pool: settings.cognito } : { kind: 'sts' };
}
