// The AWS Lambda function: an EventBridge rule (or a CloudTrail log) hands it CreateRole/DeleteRole calls, and it
// runs the same plan as the CLI in the account the call was made in. Dry run unless KEYLESS_AWS_APPLY=true. Its log
// is one JSON line per decision on stdout (CloudWatch Logs), never a credential.
import { InputError, isRetryable, KeylessError } from '../errors';
import { partitionOfRegion } from '../partitions/partition';
import { redact } from '../secrets';
import { type EventDecision, eventDecisions, type RoleEvent } from './events';
import { IamAccount } from './iam-account';
import { type Outcome, runAudiences } from './run';

export interface LambdaSettings {
  apply: boolean;
  /** Name (with path, if any) of the automation role in each target account; absent: the function's own account. */
  automationRole?: string;
  providers: string[];
  keep: string[];
  region: string;
  iamEndpoint?: string;
  stsEndpoint?: string;
  timeoutMs: number;
}

const list = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter((v) => v !== '');

/** The function's configuration, from its environment variables (the only place Lambda gives it). */
export function lambdaSettings(env: Readonly<Record<string, string | undefined>>): LambdaSettings {
  const apply = env.KEYLESS_AWS_APPLY ?? 'false';
  if (!/^(true|false)$/.test(apply)) {
    throw new InputError(`KEYLESS_AWS_APPLY must be true or false; got "${apply}".`);
  }
  const role = env.KEYLESS_AWS_AUTOMATION_ROLE || undefined;
  if (role !== undefined && !/^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/.test(role)) {
    throw new InputError(
      `KEYLESS_AWS_AUTOMATION_ROLE must be a role name (with its path, if any), not "${role}".`,
      'For example keyless-aws-audiences; the function assumes arn:<partition>:iam::<recipientAccountId>:role/<name>.',
    );
  }
  return {
    apply: apply === 'true',
    ...(role ? { automationRole: role } : {}),
    providers: list(env.KEYLESS_AWS_OIDC_PROVIDERS),
    keep: list(env.KEYLESS_AWS_KEEP_AUDIENCES),
    // IAM's events reach EventBridge in us-east-1 only, so that is where the function runs.
    region: env.AWS_REGION || 'us-east-1',
    ...(env.AWS_ENDPOINT_URL_IAM ? { iamEndpoint: env.AWS_ENDPOINT_URL_IAM } : {}),
    ...(env.AWS_ENDPOINT_URL_STS ? { stsEndpoint: env.AWS_ENDPOINT_URL_STS } : {}),
    timeoutMs: 10_000,
  };
}

export type LogEntry = Record<string, string | number | boolean | undefined>;

export interface EventResult {
  event?: string;
  roleName?: string;
  accountId?: string;
  outcome: 'ignored' | 'skipped' | 'planned' | 'applied' | 'unchanged' | 'failed';
  changes?: number;
  error?: string;
}

function settingsError(event: RoleEvent, own: string, settings: LambdaSettings): InputError | undefined {
  if (settings.automationRole || !event.accountId || event.accountId === own) return undefined;
  return new InputError(
    `${event.event} ${event.roleName} happened in account ${event.accountId}, and the function acts in its own account ${own}.`,
    'Set KEYLESS_AWS_AUTOMATION_ROLE to the automation role deployed in the member accounts.',
  );
}

async function runOne(event: RoleEvent, settings: LambdaSettings, log: (e: LogEntry) => void): Promise<EventResult> {
  const base = { event: event.event, roleName: event.roleName, accountId: event.accountId };
  const partition = partitionOfRegion(settings.region).name;
  const assumeRoleArn =
    settings.automationRole && event.accountId
      ? `arn:${partition}:iam::${event.accountId}:role/${settings.automationRole}`
      : undefined;
  const account = await IamAccount.open({
    region: settings.region,
    timeoutMs: settings.timeoutMs,
    ...(settings.iamEndpoint ? { iamEndpoint: settings.iamEndpoint } : {}),
    ...(settings.stsEndpoint ? { stsEndpoint: settings.stsEndpoint } : {}),
    ...(assumeRoleArn ? { assumeRoleArn } : {}),
  });
  try {
    const wrong = settingsError(event, account.accountId, settings);
    if (wrong) throw wrong;
    const outcome: Outcome = await runAudiences(
      {
        event: event.event,
        roleName: event.roleName,
        providers: settings.providers,
        keep: settings.keep,
        managedProviders: settings.providers,
        apply: settings.apply,
      },
      account,
    );
    if ('skipped' in outcome) {
      log({ ...base, decision: 'skip', reason: `${outcome.skipped}: nothing to do` });
      return { ...base, outcome: 'skipped' };
    }
    const { plan, applied } = outcome;
    for (const reason of plan.reasons) log({ ...base, accountId: plan.accountId, decision: 'reason', reason });
    for (const change of plan.changes) {
      const what =
        change.kind === 'update-trust'
          ? { call: 'iam:UpdateAssumeRolePolicy', target: change.roleName, policy: change.after.replace(/\s+/g, '') }
          : {
              call:
                change.kind === 'add-client-id'
                  ? 'iam:AddClientIDToOpenIDConnectProvider'
                  : 'iam:RemoveClientIDFromOpenIDConnectProvider',
              target: change.provider.arn,
              clientId: change.clientId,
            };
      log({ ...base, accountId: plan.accountId, decision: applied ? 'applied' : 'planned (dry run)', ...what });
    }
    const state = plan.changes.length === 0 ? 'unchanged' : applied ? 'applied' : 'planned';
    return { ...base, accountId: plan.accountId, outcome: state, changes: plan.changes.length };
  } finally {
    account.close();
  }
}

/**
 * Runs every decision of one invocation. A refusal or a bad configuration is logged and reported (retrying would
 * change nothing); a transient failure is thrown after the others ran, so Lambda's retry runs the event again
 * (every run is idempotent).
 */
export async function handleEvent(
  event: unknown,
  settings: LambdaSettings,
  log: (e: LogEntry) => void,
): Promise<{ dryRun: boolean; results: EventResult[] }> {
  const results: EventResult[] = [];
  let retry: unknown;
  for (const decision of eventDecisions(event) as EventDecision[]) {
    if ('ignore' in decision) {
      log({ decision: 'ignore', reason: decision.ignore });
      results.push({ outcome: 'ignored' });
      continue;
    }
    try {
      results.push(await runOne(decision.act, settings, log));
    } catch (error) {
      const message = error instanceof KeylessError ? `${error.message} ${error.hint ?? ''}`.trim() : String(error);
      log({
        event: decision.act.event,
        roleName: decision.act.roleName,
        accountId: decision.act.accountId,
        decision: 'error',
        code: error instanceof KeylessError ? error.code : 'Unexpected',
        reason: message,
      });
      results.push({ event: decision.act.event, roleName: decision.act.roleName, outcome: 'failed', error: message });
      if (isRetryable(error) || !(error instanceof KeylessError)) retry ??= error;
    }
  }
  if (retry) throw retry;
  return { dryRun: !settings.apply, results };
}

/** One log line: JSON, redacted like every other output of keyless-aws. */
export function logLine(entry: LogEntry): void {
  process.stdout.write(`${redact(JSON.stringify({ source: 'keyless-aws-audiences', ...entry }))}\n`);
}
