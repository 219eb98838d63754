import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type Credentials as StsCredentials,
} from '@aws-sdk/client-sts';
import { DeniedError } from '../errors';
import type { ProxySettings } from '../net/proxy';
import { sdkRequestHandler } from '../net/sdk-handler';
import { registerSecret } from '../secrets';
import type { StaticKeys } from '../settings/types';
import type { Token } from '../token/token';
import { type AwsErrorInfo, classifyAwsError } from './aws-errors';
import { type AwsCredentials, accountOf, type Session } from './session';
import type { SessionTag } from './session-tags';

/** STS's Query protocol answers XML, errors included. */
const STS_ANSWER = { name: 'STS', contentType: /\bxml\b/i };

export interface StsConnection {
  readonly region: string;
  readonly endpoint?: string;
  readonly requestTimeoutMs: number;
  readonly proxy?: ProxySettings;
  /** Under --debug: the call and request lines. */
  readonly debug?: (line: string) => void;
}

/**
 * An STS client that never retries on its own (our retry loop decides what is transient) and never waits forever.
 * With `credentials` undefined the SDK's default chain signs; AssumeRoleWithWebIdentity is sent unsigned anyway.
 */
export function createStsClient(connection: StsConnection, credentials?: StaticKeys | 'ambient'): STSClient {
  return new STSClient({
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: sdkRequestHandler(connection.requestTimeoutMs, connection.proxy, STS_ANSWER, connection.debug),
    ...(credentials && credentials !== 'ambient' ? { credentials } : {}),
  });
}

function toCredentials(raw: StsCredentials | undefined): AwsCredentials {
  if (!raw?.AccessKeyId || !raw.SecretAccessKey) {
    throw new DeniedError('IncompleteResponse', 'STS answered without credentials.');
  }
  // Mask before anything else can see them.
  registerSecret(raw.AccessKeyId);
  registerSecret(raw.SecretAccessKey);
  registerSecret(raw.SessionToken);
  return {
    accessKeyId: raw.AccessKeyId,
    secretAccessKey: raw.SecretAccessKey,
    ...(raw.SessionToken ? { sessionToken: raw.SessionToken } : {}),
    ...(raw.Expiration ? { expiration: raw.Expiration } : {}),
  };
}

function toSession(credentials: StsCredentials | undefined, arn: string | undefined): Session {
  if (!arn) throw new DeniedError('IncompleteResponse', 'STS answered without AssumedRoleUser.Arn.');
  return { credentials: toCredentials(credentials), arn, accountId: accountOf(arn) };
}

export interface SessionOptions {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly policy?: string;
  readonly policyArns: readonly string[];
}

type Explain = (info: AwsErrorInfo) => { hint?: string; details?: string };

export async function assumeRoleWithWebIdentity(
  client: STSClient,
  token: Token,
  options: SessionOptions,
  explain: Explain,
): Promise<Session> {
  try {
    const out = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.roleSessionName,
        WebIdentityToken: token.value,
        DurationSeconds: options.durationSeconds,
        ...(options.policy ? { Policy: options.policy } : {}),
        ...(options.policyArns.length > 0 ? { PolicyArns: options.policyArns.map((arn) => ({ arn })) } : {}),
      }),
    );
    return toSession(out.Credentials, out.AssumedRoleUser?.Arn);
  } catch (error) {
    throw classifyAwsError(error, 'sts:AssumeRoleWithWebIdentity', explain);
  }
}

export interface AssumeRoleOptions extends SessionOptions {
  readonly tags: readonly SessionTag[];
  readonly transitiveTagKeys: readonly string[];
  readonly externalId?: string;
}

export async function assumeRole(client: STSClient, options: AssumeRoleOptions, explain: Explain): Promise<Session> {
  let out: AssumeRoleCommandOutput;
  try {
    out = await client.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.roleSessionName,
        DurationSeconds: options.durationSeconds,
        ...(options.tags.length > 0 ? { Tags: options.tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {}),
        ...(options.transitiveTagKeys.length > 0 ? { TransitiveTagKeys: [...options.transitiveTagKeys] } : {}),
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
        ...(options.policy ? { Policy: options.policy } : {}),
        ...(options.policyArns.length > 0 ? { PolicyArns: options.policyArns.map((arn) => ({ arn })) } : {}),
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, 'sts:AssumeRole', explain);
  }
  return toSession(out.Credentials, out.AssumedRoleUser?.Arn);
}

export async function getCallerIdentity(
  client: STSClient,
  explain: Explain,
): Promise<{ accountId: string; arn: string }> {
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn)
      throw new DeniedError('IncompleteResponse', 'STS GetCallerIdentity answered without Account/Arn.');
    return { accountId: out.Account, arn: out.Arn };
  } catch (error) {
    throw classifyAwsError(error, 'sts:GetCallerIdentity', explain);
  }
}
