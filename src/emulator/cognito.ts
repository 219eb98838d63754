// Cognito Identity classic ("basic") flow: GetId and GetOpenIdToken, unsigned JSON 1.1 operations. External
// tokens are verified as Cognito documents (§2.4); the issued token has Cognito's shape (§2.5) and is signed by
// the emulator's own RS512 key, which STS trusts as the built-in `cognito-identity.amazonaws.com` provider.
import { randomUUID } from 'node:crypto';
import { type Clock, epochSeconds, TOKEN_SKEW_SECONDS } from './clock';
import type { CognitoIssuer } from './cognito-issuer';
import { CognitoError, cognitoValidationError } from './errors';
import { DEFAULT_PRINCIPAL_TAGS, type IamModel, type IdentityPool, type OidcProvider } from './iam-model';
import { deterministicUuid } from './identifiers';
import { audiences, decodeJwt } from './jwt';
import { type JwksCache, KeyVerificationError } from './oidc-verify';
import { TAGS_CLAIM } from './session-tags';

export interface CognitoDeps {
  model: IamModel;
  jwks: JwksCache;
  issuer: CognitoIssuer;
  clock: Clock;
  /** The "unset ⇒ allowed" quirk: pools whose AllowClassicFlow was never set allow GetOpenIdToken. */
  unsetAllowsClassicFlow: boolean;
}

interface Identity {
  id: string;
  poolId: string;
  /** Linked logins as `<providerName>|<sub>`; empty for unauthenticated identities. */
  logins: Set<string>;
}

interface VerifiedLogin {
  provider: OidcProvider;
  sub: string;
  claims: Record<string, unknown>;
}

const TOKEN_LIFETIME_SECONDS = 600;
const POOL_ID = /^[\w-]+:[0-9a-f-]+$/;

export class CognitoIdentityService {
  private readonly identities = new Map<string, Identity>();
  private readonly deps: CognitoDeps;

  constructor(deps: CognitoDeps) {
    this.deps = deps;
  }

  async handle(operation: string, input: unknown): Promise<Record<string, unknown>> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new CognitoError('SerializationException', 'Request body must be a JSON object');
    }
    const body = input as Record<string, unknown>;
    switch (operation) {
      case 'GetId':
        return this.getId(body);
      case 'GetOpenIdToken':
        return this.getOpenIdToken(body);
      default:
        throw new CognitoError('UnknownOperationException', `Operation ${operation} is not supported by the emulator`);
    }
  }

  private async getId(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const poolId = stringField(body, 'IdentityPoolId', 1, 55, true) as string;
    if (!POOL_ID.test(poolId)) {
      throw cognitoValidationError(
        poolId,
        'identityPoolId',
        'Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+',
      );
    }
    const accountId = stringField(body, 'AccountId', 1, 15, false);
    if (accountId !== undefined && !/^\d+$/.test(accountId)) {
      throw cognitoValidationError(accountId, 'accountId', 'Member must satisfy regular expression pattern: \\d+');
    }
    const logins = loginsField(body);
    const pool = this.deps.model.findIdentityPool(poolId);
    if (!pool) throw new CognitoError('ResourceNotFoundException', `IdentityPool '${poolId}' not found.`);

    if (logins.size === 0) {
      if (!pool.allowUnauthenticatedIdentities) {
        throw new CognitoError(
          'NotAuthorizedException',
          'Unauthenticated access is not supported for this identity pool.',
        );
      }
      const id = `${pool.region}:${randomUUID()}`;
      this.identities.set(id, { id, poolId, logins: new Set() });
      return { IdentityId: id };
    }
    const verified = await this.verifyLogins(pool, logins);
    const first = verified[0] as VerifiedLogin;
    const id = identityIdFor(pool, first);
    const identity = this.identities.get(id) ?? { id, poolId, logins: new Set<string>() };
    for (const login of verified) identity.logins.add(loginKey(login));
    this.identities.set(id, identity);
    return { IdentityId: id };
  }

  private async getOpenIdToken(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const identityId = stringField(body, 'IdentityId', 1, 55, true) as string;
    if (!POOL_ID.test(identityId)) {
      throw cognitoValidationError(
        identityId,
        'identityId',
        'Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+',
      );
    }
    const logins = loginsField(body);
    const identity = this.identities.get(identityId);
    if (!identity) throw new CognitoError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    const pool = this.deps.model.findIdentityPool(identity.poolId);
    if (!pool) throw new CognitoError('ResourceNotFoundException', `IdentityPool '${identity.poolId}' not found.`);
    const classicAllowed = pool.allowClassicFlow ?? this.deps.unsetAllowsClassicFlow;
    if (!classicAllowed) {
      throw new CognitoError(
        'InvalidParameterException',
        'Basic (classic) flow is not enabled, please use enhanced flow.',
      );
    }

    const now = epochSeconds(this.deps.clock());
    const claims: Record<string, unknown> = { sub: identity.id, aud: pool.id };
    if (identity.logins.size === 0) {
      if (logins.size > 0) throw loginsDontMatch();
      claims.amr = ['unauthenticated'];
    } else {
      if (logins.size === 0) throw loginsDontMatch();
      const verified = await this.verifyLogins(pool, logins);
      // Every supplied login must be one already linked to this identity (identity merging is not emulated).
      if (!verified.every((login) => identity.logins.has(loginKey(login)))) throw loginsDontMatch();
      const login = verified[0] as VerifiedLogin;
      claims.amr = ['authenticated', login.provider.name, `${login.provider.arn}:OIDC:${login.sub}`];
      const tags = this.principalTags(pool, login);
      if (Object.keys(tags).length > 0) claims[TAGS_CLAIM] = { principal_tags: tags };
    }
    claims.iss = this.deps.issuer.issuerUrl;
    claims['https://cognito-identity.amazonaws.com/identity-pool-arn'] = pool.arn;
    claims.exp = now + TOKEN_LIFETIME_SECONDS;
    claims.iat = now;
    return { IdentityId: identity.id, Token: this.deps.issuer.sign(claims) };
  }

  /** tag ← claim per the pool's principal-tag map for that provider; only string claims present in the token. */
  private principalTags(pool: IdentityPool, login: VerifiedLogin): Record<string, string[]> {
    const map = this.deps.model.findPrincipalTagMap(pool.id, login.provider.name);
    if (!map) return {};
    const mapping = map.useDefaults ? DEFAULT_PRINCIPAL_TAGS : map.principalTags;
    const tags: Record<string, string[]> = {};
    for (const [tag, claim] of Object.entries(mapping)) {
      const value = login.claims[claim];
      if (typeof value === 'string') tags[tag] = [value];
    }
    return tags;
  }

  private async verifyLogins(pool: IdentityPool, logins: Map<string, string>): Promise<VerifiedLogin[]> {
    const verified: VerifiedLogin[] = [];
    for (const [providerName, token] of logins) verified.push(await this.verifyLogin(pool, providerName, token));
    return verified;
  }

  private async verifyLogin(pool: IdentityPool, providerName: string, token: string): Promise<VerifiedLogin> {
    const provider = pool.openIdConnectProviderArns
      .map((arn) => this.deps.model.findProviderByArn(arn))
      .find((p) => p?.name === providerName);
    if (!provider) throw notAuthorized('Token is not from a supported provider of this identity pool.');
    const jwt = decodeJwt(token);
    if (!jwt) throw notAuthorized('Invalid login token. Not a valid OpenId Connect identity token.');
    const { claims } = jwt;
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    if (iss.replace(/^https?:\/\//i, '') !== providerName) {
      throw notAuthorized("Invalid login token. Issuer doesn't match providerName");
    }
    const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
    const candidates = azp !== undefined ? [azp] : audiences(claims);
    if (candidates.length === 0) throw notAuthorized('Invalid login token. Missing a required claim: aud');
    if (!candidates.some((a) => provider.clientIds.includes(a)))
      throw notAuthorized('Invalid login token. Incorrect token audience.');
    const now = epochSeconds(this.deps.clock());
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    if (exp === undefined) throw notAuthorized('Invalid login token. Missing a required claim: exp');
    if (now > exp + TOKEN_SKEW_SECONDS) {
      throw notAuthorized(`Invalid login token. Token expired: ${now} >= ${exp}`);
    }
    const nbf = typeof claims.nbf === 'number' ? claims.nbf : undefined;
    if (nbf !== undefined && nbf > now + TOKEN_SKEW_SECONDS)
      throw notAuthorized('Invalid login token. Token is not yet valid.');
    if (jwt.header.alg !== 'RS256' && jwt.header.alg !== 'RS384' && jwt.header.alg !== 'RS512') {
      throw notAuthorized("Invalid login token. Couldn't verify signed token.");
    }
    try {
      await this.deps.jwks.verify(jwt, provider.url);
    } catch (error) {
      if (error instanceof KeyVerificationError)
        throw notAuthorized("Invalid login token. Couldn't verify signed token.");
      throw error;
    }
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    if (sub === '') throw notAuthorized('Invalid login token. Missing a required claim: sub');
    return { provider, sub, claims };
  }
}

function notAuthorized(message: string): CognitoError {
  return new CognitoError('NotAuthorizedException', message);
}

function loginsDontMatch(): CognitoError {
  return notAuthorized(
    "Logins don't match. Please include at least one valid login for this identity or identity pool.",
  );
}

function loginKey(login: VerifiedLogin): string {
  return `${login.provider.name}|${login.sub}`;
}

/** One identity per (pool, provider, external sub), the same on every run. */
function identityIdFor(pool: IdentityPool, login: VerifiedLogin): string {
  return `${pool.region}:${deterministicUuid(`identity/${pool.id}/${loginKey(login)}`)}`;
}

function stringField(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  isRequired: boolean,
): string | undefined {
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  const value = body[name];
  if (value === undefined || value === null) {
    if (isRequired) throw cognitoValidationError(null, member, 'Member must not be null');
    return undefined;
  }
  if (typeof value !== 'string') throw new CognitoError('SerializationException', `${name} must be a string`);
  if (value.length < min)
    throw cognitoValidationError(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max)
    throw cognitoValidationError(value, member, `Member must have length less than or equal to ${max}`);
  return value;
}

function loginsField(body: Record<string, unknown>): Map<string, string> {
  const raw = body.Logins;
  const logins = new Map<string, string>();
  if (raw === undefined || raw === null) return logins;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new CognitoError('SerializationException', 'Logins must be a map');
  const entries = Object.entries(raw);
  if (entries.length > 10)
    throw cognitoValidationError('{…}', 'logins', 'Member must have length less than or equal to 10');
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) {
      throw cognitoValidationError(
        key,
        'logins',
        'Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]',
      );
    }
    if (typeof value !== 'string') throw new CognitoError('SerializationException', `Logins.${key} must be a string`);
    if (value.length < 1 || value.length > 50000) {
      throw cognitoValidationError(
        '…',
        'logins',
        'Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]',
      );
    }
    logins.set(key, value);
  }
  return logins;
}
