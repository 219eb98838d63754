// What a role declares about its web-identity audience: the Entra application's client id and the IAM OIDC provider
// that trusts it, read from the role's tags (what a team sets when it creates the role) or given by a person.
import { InputError } from '../errors';

export const AUDIENCE_TAG = 'keyless-aws:audience';
export const PROVIDER_TAG = 'keyless-aws:oidc-provider';

const PROVIDER_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):oidc-provider\/(\S+)$/;

export interface Declaration {
  /** The client id to add to the provider and to expect as `<provider>:aud`. */
  audience: string;
  providerArn: string;
  /** Where it came from, named in messages (`tag keyless-aws:audience`, `--audience`). */
  from: { audience: string; provider: string };
}

export interface ProviderRef {
  arn: string;
  /** The ARN after `oidc-provider/`: the issuer URL without scheme, which prefixes the condition keys. */
  name: string;
  accountId: string;
  partition: string;
}

/** IAM's own rule for a client id (1-255 characters); anything else would be refused by AddClientID. */
export function checkClientId(value: string, from: string): string {
  if (value.length < 1 || value.length > 255 || /[\s"]/.test(value)) {
    throw new InputError(
      `${from} "${value}" is not a client id IAM accepts (1-255 characters, no spaces or quotes).`,
      "Give the Entra application's client id (Application (client) ID, a GUID).",
    );
  }
  return value;
}

export function providerRef(arn: string, from: string): ProviderRef {
  const match = PROVIDER_ARN.exec(arn);
  if (!match) {
    throw new InputError(
      `${from} "${arn}" is not an OIDC provider ARN.`,
      'Expected arn:aws:iam::<12-digit account>:oidc-provider/<issuer host and path>.',
    );
  }
  return { arn, partition: match[1] as string, accountId: match[2] as string, name: match[3] as string };
}

/** A provider named by ARN or by its issuer (with or without https://), in the account acted on. */
export function providerIn(value: string, accountId: string, partition: string, from: string): ProviderRef {
  if (value.startsWith('arn:')) return providerRef(value, from);
  const name = value.replace(/^https?:\/\//i, '');
  return providerRef(`arn:${partition}:iam::${accountId}:oidc-provider/${name}`, from);
}

/**
 * The declaration of a role: explicit values win (a person naming them), else the role's tags. Both parts are
 * required: without them the role is not one this automation manages.
 */
export function declarationOf(
  tags: Readonly<Record<string, string>>,
  explicit: { audience?: string; providerArn?: string },
): Declaration | undefined {
  const audience = explicit.audience ?? tags[AUDIENCE_TAG];
  const provider = explicit.providerArn ?? tags[PROVIDER_TAG];
  if (audience === undefined && provider === undefined) return undefined;
  const from = {
    audience: explicit.audience !== undefined ? '--audience' : `tag ${AUDIENCE_TAG}`,
    provider: explicit.providerArn !== undefined ? '--provider' : `tag ${PROVIDER_TAG}`,
  };
  if (audience === undefined || provider === undefined) {
    const missing = audience === undefined ? from.audience : from.provider;
    throw new InputError(
      `The role declares only half of its audience: ${missing} is missing.`,
      `Tag the role with both ${AUDIENCE_TAG} (the Entra application's client id) and ${PROVIDER_TAG} (the OIDC provider ARN), or pass --audience and --provider.`,
    );
  }
  providerRef(provider, from.provider);
  return { audience: checkClientId(audience, from.audience), providerArn: provider, from };
}
