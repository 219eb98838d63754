// The account the automation acts in, through IAM: the caller's own, or another one through sts:AssumeRole into the
// automation role. Reads (GetRole with its tags, every ListRoles page, GetOpenIDConnectProvider) and the three
// writes. Every call is bounded (the shared request handler's deadline, three attempts); every failure names the
// IAM action it was, so a missing permission says which one.
import {
  AddClientIDToOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  paginateListRoles,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeniedError, InputError, TransientError } from '../errors';
import { sdkRequestHandler } from '../net/sdk-handler';
import { registerSecret } from '../secrets';
import type { ProviderRef } from './declaration';
import type { ProviderState, RoleState } from './plan';
import { RefusedError } from './refusal';

export interface AccountConnection {
  /** IAM endpoint (the emulator); default the SDK's for the partition. */
  iamEndpoint?: string;
  stsEndpoint?: string;
  /** Region for STS and request signing (IAM is global: its events and its endpoint are in us-east-1). */
  region: string;
  profile?: string;
  /** The automation role in the target account; absent: act with the caller's own credentials. */
  assumeRoleArn?: string;
  timeoutMs: number;
}

export const AUTOMATION_SESSION = 'keyless-aws-audiences';

const XML = { contentType: /\bxml\b/i };

function awsError(error: unknown, action: string, on: string): Error {
  const e = error as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  // IAM's own error code (`LimitExceeded`), as its documentation and the AWS CLI name it; the SDK's class name
  // (`LimitExceededException`) otherwise.
  const text = `${action} on ${on} was refused: ${e.Code ?? e.name ?? 'Error'}: ${e.message ?? ''}`;
  if (/^AccessDenied/.test(e.name ?? '')) {
    return new DeniedError('AccessDenied', text, {
      hint: `Allow ${action} on ${on} to the principal acting (the automation role: examples/microsoft/audience-automation-role.yml grants exactly what the automation uses).`,
    });
  }
  if (e.name === 'LimitExceeded' || e.name === 'LimitExceededException') {
    // IAM answers LimitExceeded for more than one quota: on UpdateAssumeRolePolicy it is the trust policy's size
    // (ACLSizePerRole, 2048 characters by default, white space not counted), not the provider's client ids.
    if (action === 'iam:UpdateAssumeRolePolicy') {
      return new RefusedError(
        'TrustPolicySize',
        text,
        "The trust policy with the aud condition would exceed IAM's trust policy size quota (ACLSizePerRole, white space not counted): shorten the role's trust policy, or raise the account's quota in Service Quotas (IAM, Role trust policy length).",
      );
    }
    return new RefusedError(
      'ClientIdLimit',
      text,
      'An OIDC provider holds at most 100 client ids: remove the ones no role uses.',
    );
  }
  if (e.name === 'UnmodifiableEntity' || e.name === 'UnmodifiableEntityException') {
    // A service-linked role: only its service may change its trust policy. Asking again changes nothing.
    return new RefusedError('UnmodifiableEntity', text, 'A service-linked role is changed by its AWS service only.');
  }
  if (e.name === 'ValidationError' || e.name === 'ValidationException') {
    // IAM's model refused a parameter (a role name from an event that no IAM call could have made): not transient.
    return new InputError(`${text}.`, 'Check the role name or the provider ARN given (or in the event).');
  }
  if (e.name === 'NoSuchEntity' || e.name === 'NoSuchEntityException') {
    return new InputError(
      `${action}: ${on} does not exist in this account (${e.message ?? 'NoSuchEntity'}).`,
      'Check the provider named by the role tag keyless-aws:oidc-provider or --provider (an ARN of the account acted in).',
    );
  }
  if (
    e.name === 'MalformedPolicyDocument' ||
    e.name === 'MalformedPolicyDocumentException' ||
    e.name === 'InvalidInput'
  ) {
    return new RefusedError('IamRefused', text, 'IAM refused the document: nothing was changed by this call.');
  }
  if (e.name === 'CredentialsProviderError') {
    return new InputError(
      `No AWS credentials to call ${action}: ${e.message}`,
      'Export AWS credentials or pass --profile NAME.',
    );
  }
  if (e instanceof Error && 'exitCode' in e) return e;
  return new TransientError('IamUnavailable', `${action} on ${on} failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`);
}

async function call<T>(action: string, on: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw awsError(error, action, on);
  }
}

function stsClient(c: AccountConnection): STSClient {
  return new STSClient({
    region: c.region,
    maxAttempts: 3,
    ...(c.stsEndpoint ? { endpoint: c.stsEndpoint } : {}),
    ...(c.profile ? { profile: c.profile } : {}),
    requestHandler: sdkRequestHandler(c.timeoutMs, undefined, { name: 'STS', ...XML }),
  });
}

export class IamAccount {
  private constructor(
    /** Reads: three attempts, the SDK's backoff on throttling. */
    private readonly iam: IAMClient,
    /**
     * Writes: one attempt. The SDK classifies IAM's quota error (LimitExceededException: 100 client ids, policy size)
     * as throttling and would retry it with backoff; a write is never retried here, since rerunning the whole
     * idempotent run is the retry (Lambda's, for a transient failure).
     */
    private readonly writer: IAMClient,
    readonly accountId: string,
    readonly partition: string,
  ) {}

  /** Signs in to the target account: assumes the automation role when one is named, else asks who the caller is. */
  static async open(c: AccountConnection): Promise<IamAccount> {
    const sts = stsClient(c);
    try {
      let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
      let arn: string;
      if (c.assumeRoleArn) {
        const out = await call('sts:AssumeRole', c.assumeRoleArn, () =>
          sts.send(
            new AssumeRoleCommand({
              RoleArn: c.assumeRoleArn,
              RoleSessionName: AUTOMATION_SESSION,
              DurationSeconds: 900,
            }),
          ),
        );
        const k = out.Credentials;
        if (!k?.AccessKeyId || !k.SecretAccessKey)
          throw new DeniedError('IncompleteResponse', 'STS answered AssumeRole without credentials.');
        for (const secret of [k.AccessKeyId, k.SecretAccessKey, k.SessionToken]) registerSecret(secret);
        credentials = {
          accessKeyId: k.AccessKeyId,
          secretAccessKey: k.SecretAccessKey,
          ...(k.SessionToken ? { sessionToken: k.SessionToken } : {}),
        };
        arn = c.assumeRoleArn;
      } else {
        const who = await call('sts:GetCallerIdentity', 'the caller', () => sts.send(new GetCallerIdentityCommand({})));
        arn = who.Arn ?? '';
      }
      const match = /^arn:([\w-]+):[\w-]+::(\d{12}):/.exec(arn);
      if (!match) throw new InputError(`Cannot tell the account of ${arn || 'the caller'}.`);
      const iam = (maxAttempts: number) =>
        new IAMClient({
          region: c.region,
          maxAttempts,
          ...(c.iamEndpoint ? { endpoint: c.iamEndpoint } : {}),
          ...(credentials ? { credentials } : c.profile ? { profile: c.profile } : {}),
          requestHandler: sdkRequestHandler(c.timeoutMs, undefined, { name: 'IAM', ...XML }),
        });
      return new IamAccount(iam(3), iam(1), match[2] as string, match[1] as string);
    } finally {
      sts.destroy();
    }
  }

  close(): void {
    this.iam.destroy();
    this.writer.destroy();
  }

  private roleArn(name: string): string {
    return `arn:${this.partition}:iam::${this.accountId}:role/${name}`;
  }

  /** The role with its tags, or undefined when IAM has no such role (it was deleted). */
  async role(name: string): Promise<RoleState | undefined> {
    try {
      const { Role } = await this.iam.send(new GetRoleCommand({ RoleName: name }));
      if (!Role) return undefined;
      return {
        name: Role.RoleName ?? name,
        arn: Role.Arn ?? this.roleArn(name),
        path: Role.Path ?? '/',
        trustPolicy: decodeURIComponent(Role.AssumeRolePolicyDocument ?? ''),
        tags: Object.fromEntries((Role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      };
    } catch (error) {
      const e = error as { name?: string };
      if (e.name === 'NoSuchEntity' || e.name === 'NoSuchEntityException') return undefined;
      throw awsError(error, 'iam:GetRole', this.roleArn(name));
    }
  }

  /** Every role of the account (all pages), with its trust policy; ListRoles carries no tags, none are needed. */
  async roles(): Promise<RoleState[]> {
    const out: RoleState[] = [];
    await call('iam:ListRoles', `account ${this.accountId}`, async () => {
      for await (const page of paginateListRoles({ client: this.iam, pageSize: 100 }, {})) {
        for (const r of page.Roles ?? []) {
          out.push({
            name: r.RoleName ?? '',
            arn: r.Arn ?? '',
            path: r.Path ?? '/',
            trustPolicy: decodeURIComponent(r.AssumeRolePolicyDocument ?? ''),
            tags: {},
          });
        }
      }
    });
    return out;
  }

  async provider(ref: ProviderRef): Promise<ProviderState> {
    const out = await call('iam:GetOpenIDConnectProvider', ref.arn, () =>
      this.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ref.arn })),
    );
    return { ref, clientIds: out.ClientIDList ?? [] };
  }

  /** The provider, or undefined when the account has none at that ARN (IAM's NoSuchEntity). */
  async providerIfExists(ref: ProviderRef): Promise<ProviderState | undefined> {
    try {
      const out = await this.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ref.arn }));
      return { ref, clientIds: out.ClientIDList ?? [] };
    } catch (error) {
      const e = error as { name?: string };
      if (e.name === 'NoSuchEntity' || e.name === 'NoSuchEntityException') return undefined;
      throw awsError(error, 'iam:GetOpenIDConnectProvider', ref.arn);
    }
  }

  async addClientId(ref: ProviderRef, clientId: string): Promise<void> {
    await call('iam:AddClientIDToOpenIDConnectProvider', ref.arn, () =>
      this.writer.send(
        new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ref.arn, ClientID: clientId }),
      ),
    );
  }

  async removeClientId(ref: ProviderRef, clientId: string): Promise<void> {
    await call('iam:RemoveClientIDFromOpenIDConnectProvider', ref.arn, () =>
      this.writer.send(
        new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ref.arn, ClientID: clientId }),
      ),
    );
  }

  /** Sends the policy without whitespace: IAM's size quota counts every character but whitespace anyway. */
  async updateTrust(roleName: string, document: string): Promise<void> {
    await call('iam:UpdateAssumeRolePolicy', this.roleArn(roleName), () =>
      this.writer.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(JSON.parse(document)) }),
      ),
    );
  }
}
