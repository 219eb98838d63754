// Roles and OIDC providers of a live account, read through IAM (every ListRoles page, GetRole for one role,
// ListOpenIDConnectProviders + GetOpenIDConnectProvider) with the standard credential chain or a named profile.
// Loaded lazily: the IAM client is part of the doctor's live path only.
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  type Role as IamRole,
  ListOpenIDConnectProvidersCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { DeniedError, InputError, TransientError } from '../errors';
import { sdkRequestHandler } from '../net/sdk-handler';
import { providerUrl } from './provider-url';
import type { RoleSet } from './role-sources';

export interface LiveOptions {
  profile?: string;
  /** IAM endpoint (the emulator); default: the SDK's. */
  endpoint?: string;
  roleArn?: string;
  timeoutMs: number;
}

const IAM_READ = 'iam:ListRoles, iam:GetRole, iam:ListOpenIDConnectProviders and iam:GetOpenIDConnectProvider';

function client(options: LiveOptions): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    maxAttempts: 3,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    requestHandler: sdkRequestHandler(options.timeoutMs, undefined, { name: 'IAM', contentType: /\bxml\b/i }),
  });
}

function addRole(set: RoleSet, role: IamRole): void {
  const accountId = /^arn:aws[\w-]*:iam::(\d{12}):/.exec(role.Arn ?? '')?.[1];
  set.model.onTrustPolicyProblem = (_name, error) =>
    set.problems.push({ roleArn: role.Arn ?? '', message: error.message });
  try {
    set.model.addRole({
      name: role.RoleName ?? '',
      path: role.Path ?? '/',
      ...(accountId ? { accountId } : {}),
      assumeRolePolicyDocument: decodeURIComponent(role.AssumeRolePolicyDocument ?? ''),
      ...(role.MaxSessionDuration ? { maxSessionDuration: role.MaxSessionDuration } : {}),
      location: role.Arn,
    });
  } finally {
    set.model.onTrustPolicyProblem = undefined;
  }
}

function liveError(error: unknown, step: string): Error {
  const e = error as { name?: string; message?: string };
  if (e.name === 'AccessDenied' || e.name === 'AccessDeniedException') {
    return new DeniedError('AccessDenied', `${step} was refused: ${e.message}`, {
      hint: `Allow ${IAM_READ} to this principal (for example the AWS-managed IAMReadOnlyAccess policy).`,
    });
  }
  if (e.name === 'NoSuchEntity' || e.name === 'NoSuchEntityException') return new InputError(`${step}: ${e.message}`);
  if (e.name === 'CredentialsProviderError') {
    return new InputError(
      `No AWS credentials for --live: ${e.message}`,
      'Export AWS credentials or pass --profile NAME.',
    );
  }
  return new TransientError('IamUnavailable', `${step} failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`);
}

async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw liveError(error, name);
  }
}

export async function addLiveAccount(set: RoleSet, options: LiveOptions): Promise<void> {
  const iam = client(options);
  try {
    const list = await step('iam:ListOpenIDConnectProviders', () =>
      iam.send(new ListOpenIDConnectProvidersCommand({})),
    );
    for (const { Arn } of list.OpenIDConnectProviderList ?? []) {
      const p = await step('iam:GetOpenIDConnectProvider', () =>
        iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: Arn })),
      );
      const accountId = /^arn:aws[\w-]*:iam::(\d{12}):/.exec(Arn ?? '')?.[1];
      set.model.addOidcProvider({
        url: providerUrl(p.Url ?? ''),
        clientIds: p.ClientIDList ?? [],
        ...(accountId ? { accountId } : {}),
      });
    }
    if (options.roleArn) {
      const name = options.roleArn.slice(options.roleArn.lastIndexOf('/') + 1);
      const { Role } = await step('iam:GetRole', () => iam.send(new GetRoleCommand({ RoleName: name })));
      if (Role) addRole(set, Role);
      return;
    }
    await step('iam:ListRoles', async () => {
      for await (const page of paginateListRoles({ client: iam, pageSize: 100 }, {})) {
        for (const role of page.Roles ?? []) addRole(set, role);
      }
    });
  } finally {
    iam.destroy();
  }
}
