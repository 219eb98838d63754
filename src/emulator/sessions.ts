// Credentials the emulator has issued. Signed calls (AssumeRole, GetCallerIdentity) are authenticated against this
// store, so role chaining works with exactly the keys a previous call returned.
import { partitionOfArn } from '../partitions/partition';
import type { Clock } from './clock';
import type { IamModel, Role, StaticAccessKey } from './iam-model';
import { newSecretAccessKey, newSessionAccessKeyId, newSessionToken } from './identifiers';
import type { SessionTag } from './session-tags';
import type { SessionPolicies } from './sts-params';

export interface RoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiresAt: number;
  role: Role;
  sessionName: string;
  /** `arn:<partition>:sts::<acct>:assumed-role/<RoleName>/<session>` (role path dropped, as STS does). */
  arn: string;
  /** `<RoleId>:<session>`. */
  userId: string;
  tags: SessionTag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  /** Web-identity condition keys that stay in the request context of later calls (amr/aud/sub, FederatedProvider). */
  federatedContext: Array<[string, string[]]>;
  /** Session policies passed to the AssumeRole* call (`Policy`, `PolicyArns`): they cap what the session may do. */
  sessionPolicies?: SessionPolicies;
}

/** The authenticated caller of a signed request. */
export type Caller = { kind: 'session'; session: RoleSession } | { kind: 'static'; key: StaticAccessKey };

export interface IssueSessionInput {
  role: Role;
  sessionName: string;
  durationSeconds: number;
  tags: SessionTag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  federatedContext: Array<[string, string[]]>;
  sessionPolicies?: SessionPolicies;
}

export class SessionStore {
  private readonly sessions = new Map<string, RoleSession>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  issue(input: IssueSessionInput): RoleSession {
    this.prune();
    const session: RoleSession = {
      accessKeyId: newSessionAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiresAt: Math.floor(this.clock() / 1000) * 1000 + input.durationSeconds * 1000,
      role: input.role,
      sessionName: input.sessionName,
      arn: `arn:${partitionOfArn(input.role.arn)}:sts::${input.role.accountId}:assumed-role/${input.role.name}/${input.sessionName}`,
      userId: `${input.role.roleId}:${input.sessionName}`,
      tags: input.tags,
      transitiveTagKeys: input.transitiveTagKeys,
      sourceIdentity: input.sourceIdentity,
      federatedContext: input.federatedContext,
      sessionPolicies: input.sessionPolicies,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  find(accessKeyId: string): RoleSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Drops sessions that expired more than a day ago; recently expired ones still answer ExpiredToken. */
  private prune(): void {
    const horizon = this.clock() - 24 * 3600 * 1000;
    for (const [id, session] of this.sessions) if (session.expiresAt < horizon) this.sessions.delete(id);
  }
}

export function lookupCaller(accessKeyId: string, sessions: SessionStore, model: IamModel): Caller | undefined {
  const session = sessions.find(accessKeyId);
  if (session) return { kind: 'session', session };
  const key = model.findAccessKey(accessKeyId);
  return key ? { kind: 'static', key } : undefined;
}

export function callerArn(caller: Caller): string {
  return caller.kind === 'session' ? caller.session.arn : caller.key.arn;
}

export function callerAccount(caller: Caller): string {
  const arn = callerArn(caller);
  return arn.split(':')[4] ?? '';
}
