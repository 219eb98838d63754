import { DeniedError, InputError } from '../errors';
import { explainDenial } from '../explain/denial';
import { assumeRoleFacts, requestFacts, webIdentityFacts } from '../explain/request-errors';
import type { Logger } from '../log';
import { type RetryPolicy, withDeadline, withRetry } from '../net/retry';
import { oneLine } from '../printable';
import type { Settings, StaticKeys } from '../settings/types';
import { createTokenSource } from '../token';
import { startTokenFetch, type Token } from '../token/token';
import type { AwsErrorInfo } from './aws-errors';
import type { CognitoResult } from './cognito';
import type { Session } from './session';
import { githubSessionTags } from './session-tags';
import type { StsConnection } from './sts';

/**
 * The STS client is most of the bundle's start-up cost; it is loaded once, and on the web-identity path only after
 * the token request is out, so that loading it overlaps the CI's answer instead of preceding it.
 */
let stsModule: Promise<typeof import('./sts')> | undefined;
const loadSts = () => {
  stsModule ??= import('./sts');
  return stsModule;
};

const ALPHANUMERIC = /^[a-zA-Z0-9]+$/;

function connectionOf(settings: Settings, log: Logger): StsConnection {
  return {
    region: settings.region,
    requestTimeoutMs: settings.requestTimeoutMs,
    ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}),
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    debug: (line) => log.debug(line),
  };
}

function retryPolicy(settings: Settings, deadline: number, log: Logger, how = ''): RetryPolicy {
  return {
    maxAttempts: settings.maxAttempts,
    deadline,
    unanswered: {
      budgetMs: settings.networkTimeoutMs,
      attemptMs: settings.requestTimeoutMs,
      setting: 'network-timeout-s',
    },
    onRetry: (attempt, error, delay) =>
      log.info(`Attempt ${attempt} failed (${(error as Error).message}); retrying in ${delay} ms${how}.`),
    onGiveUp: (attempt, error, why) =>
      log.debug(`attempt ${attempt} failed (${oneLine((error as Error).message)}); not retried: ${why}`),
  };
}

function describeToken(token: Token): string {
  const { iss, sub } = token.claims;
  return `Got an ID token from ${token.origin} (iss ${oneLine(String(iss))}, sub ${oneLine(String(sub))})`;
}

/**
 * One web-identity attempt: a fresh CI token, through Cognito when configured, then AssumeRoleWithWebIdentity.
 * The whole chain is retried as a unit, so no attempt ever reuses a token that may have expired meanwhile.
 */
async function webIdentitySession(settings: Settings, log: Logger, deadline: number): Promise<Session> {
  if (settings.source.kind !== 'web-identity' || !settings.roleToAssume) throw new Error('web identity needs a role');
  const roleArn = settings.roleToAssume;
  const tokens = createTokenSource(settings.source.token, {
    audience: settings.audience,
    timeoutMs: settings.requestTimeoutMs,
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    debug: (line) => log.debug(line),
  });
  let sts: import('@aws-sdk/client-sts').STSClient | undefined;
  const pool = settings.cognito;
  // Loaded only in this flow: the plain OIDC path does not pay for the Cognito client at start-up.
  const throughCognito = pool
    ? (await import('./cognito')).cognitoExchange(pool, connectionOf(settings, log), log)
    : undefined;
  return withRetry(
    async (attempt) => {
      log.debug(`attempt ${attempt} of ${settings.maxAttempts}`);
      const fetch = startTokenFetch(tokens);
      await fetch.sent;
      const { assumeRoleWithWebIdentity, createStsClient } = await loadSts();
      sts ??= createStsClient(connectionOf(settings, log));
      const ciToken = await fetch.token;
      log.info(describeToken(ciToken));
      let stsToken = ciToken;
      let cognito: CognitoResult | undefined;
      if (throughCognito) {
        cognito = await throughCognito(ciToken);
        stsToken = cognito.token;
      }
      const session = await assumeRoleWithWebIdentity(
        sts,
        stsToken,
        {
          roleArn,
          roleSessionName: settings.roleSessionName,
          durationSeconds: settings.roleDurationSeconds,
          policyArns: settings.managedSessionPolicies,
          ...(settings.inlineSessionPolicy ? { policy: settings.inlineSessionPolicy } : {}),
        },
        (info) =>
          explainDenial(info, {
            roleArn,
            token: stsToken,
            request: webIdentityFacts(settings, stsToken.claims, cognito?.principalTags),
            durationSeconds: settings.roleDurationSeconds,
            roleSessionName: settings.roleSessionName,
            ...(pool && cognito
              ? {
                  cognito: {
                    identityPoolId: pool.identityPoolId,
                    providerName: cognito.providerName,
                    principalTags: cognito.principalTags,
                  },
                }
              : {}),
          }),
      );
      return cognito ? { ...session, identityId: cognito.identityId, principalTags: cognito.principalTags } : session;
    },
    retryPolicy(settings, deadline, log, ' with a fresh token'),
  );
}

/** AssumeRole signed with the given keys (or the default chain), never with anything else in the environment. */
async function signedSession(
  settings: Settings,
  log: Logger,
  deadline: number,
  keys: StaticKeys | 'ambient',
): Promise<Session> {
  const { assumeRole, createStsClient, getCallerIdentity } = await loadSts();
  const source = createStsClient(connectionOf(settings, log), keys);
  const explainPlain = (info: AwsErrorInfo) =>
    explainDenial(info, {
      ...(settings.roleToAssume ? { roleArn: settings.roleToAssume } : {}),
      request: requestFacts(settings),
    });
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(
      (attempt) => {
        log.debug(`attempt ${attempt} of ${settings.maxAttempts}`);
        return fn();
      },
      retryPolicy(settings, deadline, log),
    );

  if (!settings.roleToAssume) {
    if (keys === 'ambient') throw new InputError('role-to-assume is required.');
    // Keys exported as they are: check they work before anything is exported.
    const identity = await retry(() => getCallerIdentity(source, explainPlain));
    return { credentials: keys, ...identity };
  }

  let roleArn = settings.roleToAssume;
  if (!roleArn.startsWith('arn:')) {
    const caller = await retry(() => getCallerIdentity(source, explainPlain));
    const partition = caller.arn.split(':')[1] ?? 'aws';
    roleArn = `arn:${partition}:iam::${caller.accountId}:role/${roleArn}`;
  }
  const customTags = settings.customTags;
  const tagsFor = (optional: boolean) =>
    settings.roleSkipSessionTagging
      ? []
      : settings.ci.kind === 'github'
        ? githubSessionTags(settings.ci.vars, customTags, { optional })
        : Object.entries(customTags).map(([Key, Value]) => ({ Key, Value }));
  const request = (optional: boolean) => ({
    roleArn,
    roleSessionName: settings.roleSessionName,
    durationSeconds: settings.roleDurationSeconds,
    policyArns: settings.managedSessionPolicies,
    ...(settings.inlineSessionPolicy ? { policy: settings.inlineSessionPolicy } : {}),
    tags: tagsFor(optional),
    transitiveTagKeys: settings.transitiveTagKeys,
    ...(settings.roleExternalId ? { externalId: settings.roleExternalId } : {}),
  });
  const explain = (optional: boolean) => (info: AwsErrorInfo) =>
    explainDenial(info, {
      roleArn,
      durationSeconds: settings.roleDurationSeconds,
      request: assumeRoleFacts(settings, tagsFor(optional)),
    });
  try {
    return await retry(() => assumeRole(source, request(true), explain(true)));
  } catch (error) {
    if (!(error instanceof DeniedError) || error.code !== 'PackedPolicyTooLarge' || settings.roleSkipSessionTagging)
      throw error;
    log.info('STS found the session tags too large; retrying once without the optional GitHub tags.');
    return retry(() => assumeRole(source, request(false), explain(false)));
  }
}

async function firstSession(settings: Settings, log: Logger, deadline: number): Promise<Session> {
  switch (settings.source.kind) {
    case 'web-identity':
      return webIdentitySession(settings, log, deadline);
    case 'access-keys':
    case 'role-chaining':
      return signedSession(settings, log, deadline, settings.source.keys);
    case 'ambient':
      // As configure-aws-credentials says too: a missing id-token permission is the usual reason to land here.
      log.info(
        `Assuming ${settings.roleToAssume ?? 'the role'} with this machine's own AWS credentials, no CI ID token in use (for OIDC, give the job permissions: id-token: write).`,
      );
      return signedSession(settings, log, deadline, 'ambient');
  }
}

async function existingSession(settings: Settings, log: Logger): Promise<Session | undefined> {
  const keys = settings.existingCredentials;
  if (!settings.useExistingCredentials || !keys) return undefined;
  try {
    const { createStsClient, getCallerIdentity } = await loadSts();
    const identity = await getCallerIdentity(createStsClient(connectionOf(settings, log), keys), (info) =>
      explainDenial(info, {}),
    );
    log.info('The credentials already in the environment are valid; keeping them (use-existing-credentials).');
    return { credentials: keys, ...identity, reused: true };
  } catch (error) {
    log.info(`The credentials in the environment are not usable (${(error as Error).message}); getting new ones.`);
    return undefined;
  }
}

function checkAccount(settings: Settings, session: Session): void {
  if (settings.allowedAccountIds.length === 0 || settings.allowedAccountIds.includes(session.accountId)) return;
  throw new DeniedError(
    'AccountNotAllowed',
    `The credentials belong to account ${settings.maskAwsAccountId ? '***' : session.accountId}, which is not in allowed-account-ids.`,
    { hint: 'Check role-to-assume, or add the account to allowed-account-ids. Nothing was exported.' },
  );
}

/**
 * The exchange stage: from settings to one verified session, within the run's deadline. Sinks run only after this
 * has returned, so a failure anywhere leaves nothing exported.
 */
export async function obtainSession(settings: Settings, log: Logger): Promise<Session> {
  const deadline = Date.now() + settings.timeoutMs;
  for (const line of settings.provenance) log.debug(line);
  const work = async () => {
    const existing = await existingSession(settings, log);
    if (existing) {
      checkAccount(settings, existing);
      return existing;
    }
    if (settings.source.kind === 'ambient' && !settings.roleToAssume) {
      throw new InputError('The credentials in the environment are not valid and no role-to-assume is given.');
    }
    let session = await firstSession(settings, log, deadline);
    if (settings.specialCharactersWorkaround && session.credentials.sessionToken !== undefined) {
      for (let attempt = 1; !ALPHANUMERIC.test(session.credentials.secretAccessKey); attempt++) {
        if (attempt >= settings.maxAttempts) {
          throw new DeniedError(
            'SpecialCharacters',
            `The secret access key still contained special characters after ${attempt} attempts (special-characters-workaround).`,
            {
              hint: 'Raise retry-max-attempts, or drop special-characters-workaround if the consumer handles any character.',
            },
          );
        }
        log.info(
          'The secret access key contains special characters; assuming the role again (special-characters-workaround).',
        );
        session = await firstSession(settings, log, deadline);
      }
    }
    checkAccount(settings, session);
    return session;
  };
  return withDeadline(work(), deadline, 'Getting AWS credentials');
}
