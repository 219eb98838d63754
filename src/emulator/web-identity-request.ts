// What STS's trust-policy evaluation sees for AssumeRoleWithWebIdentity: the principal, the required actions and the
// request context derived from a verified token's claims. One builder, used by the emulated STS and by the doctor,
// so the doctor's verdict is the emulator's verdict by construction.
import {
  ConditionContext,
  persistsInSession,
  type RequiredAction,
  type TrustPrincipal,
  type TrustRequest,
  webIdentityConditionKeys,
} from '../policy';
import { isoSeconds } from './clock';
import { StsError } from './errors';
import { SOURCE_IDENTITY_CLAIM, type TokenTags, tagsFromClaims } from './session-tags';
import { checkSourceIdentity } from './sts-params';

export interface WebIdentityFacts {
  claims: Record<string, unknown>;
  /** `Federated` principal: the provider ARN, or `cognito-identity.amazonaws.com`. */
  federatedPrincipal: string;
  /** Condition-key prefix: provider URL without scheme. */
  keyPrefix: string;
  sessionName: string;
  /** Epoch milliseconds of the request. */
  now: number;
}

export interface WebIdentityRequest {
  request: Omit<TrustRequest, 'resource'>;
  /** The aud/sub/amr keys the session keeps for later calls. */
  federatedContext: ConditionContext;
  tokenTags: TokenTags;
  sourceIdentity?: string;
}

/** Keys every STS request carries. STS answers only over TLS, so `aws:SecureTransport` is true as in AWS. */
export function stsRequestContext(now: number): ConditionContext {
  return new ConditionContext()
    .set('aws:CurrentTime', isoSeconds(now))
    .set('aws:EpochTime', String(Math.floor(now / 1000)))
    .set('aws:SecureTransport', 'true');
}

export function addTagKeys(context: ConditionContext, tags: TokenTags): void {
  for (const tag of tags.tags) context.set(`aws:RequestTag/${tag.key}`, tag.value);
  if (tags.tags.length > 0)
    context.set(
      'aws:TagKeys',
      tags.tags.map((t) => t.key),
    );
  if (tags.transitiveKeys.length > 0) context.set('sts:TransitiveTagKeys', tags.transitiveKeys);
}

/** Throws StsError (InvalidIdentityToken) for malformed session-tag or source-identity claims, as STS does. */
export function webIdentityRequest(facts: WebIdentityFacts): WebIdentityRequest {
  const tokenTags = tagsFromClaims(facts.claims);
  const rawSource = facts.claims[SOURCE_IDENTITY_CLAIM];
  if (rawSource !== undefined && typeof rawSource !== 'string')
    throw new StsError('InvalidIdentityToken', 'The source identity claim must be a string');
  if (typeof rawSource === 'string') checkSourceIdentity(rawSource, 'SourceIdentity');

  // The trust policy sees every key STS derives from the token; the session keeps only aud/sub/amr for later calls.
  const context = stsRequestContext(facts.now);
  const federatedContext = new ConditionContext();
  for (const [key, values] of webIdentityConditionKeys(facts.keyPrefix, facts.claims)) {
    context.set(key, values);
    if (persistsInSession(key)) federatedContext.set(key, values);
  }
  federatedContext.set('aws:FederatedProvider', facts.federatedPrincipal);
  context.set('aws:FederatedProvider', facts.federatedPrincipal);
  context.set('sts:RoleSessionName', facts.sessionName);
  if (typeof rawSource === 'string') context.set('sts:SourceIdentity', rawSource);
  addTagKeys(context, tokenTags);

  const actions: RequiredAction[] = [{ action: 'sts:AssumeRoleWithWebIdentity' }];
  if (tokenTags.tags.length > 0) actions.push({ action: 'sts:TagSession', because: 'the token carries session tags' });
  if (typeof rawSource === 'string')
    actions.push({ action: 'sts:SetSourceIdentity', because: 'the token carries a source identity' });
  const principal: TrustPrincipal = { kind: 'Federated', provider: facts.federatedPrincipal };
  return {
    request: { principal, actions, context },
    federatedContext,
    tokenTags,
    ...(typeof rawSource === 'string' ? { sourceIdentity: rawSource } : {}),
  };
}
