import { DeniedError, InputError, KeylessError } from '../errors';
import { explainDenial } from '../explain/denial';
import { assumeRoleFacts, requestFacts, webIdentityFacts } from '../explain/request-errors';
import type { Logger } from '../log';
import { type RetryPolicy, withDeadline, withRetry } from '../net/retry';
import { oneLine } from '../printable';
import { routeOf } from '../settings/exchange-route';
import { settingsForProfile } from '../settings/profiles';
import type { ProfileRole, Settings, StaticKeys } from '../settings/types';
import type { AwsErrorInfo } from './aws-errors';
import type { Session } from './session';
import { githubSessionTags } from './session-tags';
import type { StsConnection } from './sts';
import { stsTokenStep } from './sts-token';
import { type TokenFetches, tokenFetches } from './token-fetches';

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

/**
 * One web-identity session: a CI token, through Cognito when configured, then AssumeRoleWithWebIdentity. The first
 * attempt uses the run's token for this audience (shared by every role that asks for it); the whole chain is retried
 * as a unit with a freshly fetched token, so no retry reuses a token that may have expired meanwhile.
 */
async function webIdentitySession(
  settings: Settings,
  log: Logger,
  deadline: number,
  tokens: TokenFetches,
): Promise<Session> {
  if (settings.source.kind !== 'web-identity' || !settings.roleToAssume) throw new Error('web identity needs a role');
  const roleArn = settings.roleToAssume;
  let sts: import('@aws-sdk/client-sts').STSClient | undefined;
  const pool = settings.cognito;
  // The route (straight to STS, or through the identity pool) as every command that presents a token takes it.
  const toSts = await stsTokenStep(routeOf(settings), connectionOf(settings, log), log);
  return withRetry(
    async (attempt) => {
      log.debug(`attempt ${attempt} of ${settings.maxAttempts}`);
      const fetch = tokens.fetch(settings.audience, attempt);
      await fetch.sent;
      const { assumeRoleWithWebIdentity, createStsClient } = await loadSts();
      sts ??= createStsClient(connectionOf(settings, log));
      const { token: stsToken, cognito } = await toSts(await fetch.token);
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

/**
 * Role chaining into a further role: AssumeRole signed with the web-identity session's own credentials, never with
 * anything in the environment. AWS caps such a session at one hour (checked while parsing).
 */
async function chainedSession(
  settings: Settings,
  log: Logger,
  deadline: number,
  from: Session,
  roleArn: string,
): Promise<Session> {
  const { assumeRole, createStsClient } = await loadSts();
  const client = createStsClient(connectionOf(settings, log), from.credentials);
  const request = {
    roleArn,
    roleSessionName: settings.roleSessionName,
    durationSeconds: settings.roleDurationSeconds,
    policyArns: [],
    tags: [],
    transitiveTagKeys: [],
  };
  const explain = (info: AwsErrorInfo) =>
    explainDenial(info, {
      roleArn,
      durationSeconds: settings.roleDurationSeconds,
      request: assumeRoleFacts(settings, []),
    });
  return withRetry(() => assumeRole(client, request, explain), retryPolicy(settings, deadline, log));
}

async function firstSession(
  settings: Settings,
  log: Logger,
  deadline: number,
  tokens: () => TokenFetches,
): Promise<Session> {
  switch (settings.source.kind) {
    case 'web-identity':
      return webIdentitySession(settings, log, deadline, tokens());
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

/** The run's CI tokens, one fetch per audience, created on first use (only the web-identity flow needs them). */
function lazyTokenFetches(settings: Settings, log: Logger): () => TokenFetches {
  let fetches: TokenFetches | undefined;
  return () => {
    if (settings.source.kind !== 'web-identity') throw new Error('only the web-identity flow fetches CI tokens');
    fetches ??= tokenFetches(
      settings.source.token,
      { timeoutMs: settings.requestTimeoutMs, ...(settings.proxy ? { proxy: settings.proxy } : {}) },
      log,
    );
    return fetches;
  };
}

/** role-to-assume's session, checked against allowed-account-ids. */
async function primarySession(
  settings: Settings,
  log: Logger,
  deadline: number,
  tokens: () => TokenFetches,
): Promise<Session> {
  const existing = await existingSession(settings, log);
  if (existing) {
    checkAccount(settings, existing);
    return existing;
  }
  if (settings.source.kind === 'ambient' && !settings.roleToAssume) {
    throw new InputError('The credentials in the environment are not valid and no role-to-assume is given.');
  }
  let session = await firstSession(settings, log, deadline, tokens);
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
      session = await firstSession(settings, log, deadline, tokens);
    }
  }
  checkAccount(settings, session);
  return session;
}

/** One further role: web identity, then the chained role when the line asks for one; checked like the primary. */
async function profileSession(
  run: Settings,
  profile: ProfileRole,
  log: Logger,
  deadline: number,
  tokens: () => TokenFetches,
): Promise<Session> {
  const settings = settingsForProfile(run, profile);
  const first = await webIdentitySession(settings, log, deadline, tokens());
  const session = profile.chainRoleArn
    ? await chainedSession(settings, log, deadline, first, profile.chainRoleArn)
    : first;
  checkAccount(settings, session);
  return session;
}

/** A failure of one role of several names it, and says that nothing was delivered for the others either. */
function naming(what: string, several: boolean): (error: unknown) => never {
  return (error) => {
    if (!several || !(error instanceof KeylessError)) throw error;
    throw new KeylessError(error.kind, error.code, `${what} failed, so nothing was written: ${error.message}`, {
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
      cause: error,
    });
  };
}

function profileRoles(profile: ProfileRole): string {
  return profile.chainRoleArn ? `${profile.roleArn}, chained to ${profile.chainRoleArn}` : profile.roleArn;
}

export interface RunSessions {
  /** role-to-assume's session (or the kept or exported keys). */
  readonly primary: Session;
  /** One per line of `profiles`, in their order. */
  readonly profiles: ReadonlyArray<{ readonly profile: ProfileRole; readonly session: Session }>;
}

/**
 * The exchange stage: from settings to verified sessions — role-to-assume's and every further profile's, all in
 * parallel with one CI token fetch per audience — within the run's deadline. Sinks run only after every one has
 * succeeded, so a failure anywhere leaves nothing exported.
 */
export async function obtainSessions(settings: Settings, log: Logger): Promise<RunSessions> {
  const deadline = Date.now() + settings.timeoutMs;
  for (const line of settings.provenance) log.debug(line);
  const tokens = lazyTokenFetches(settings, log);
  const several = settings.profiles.length > 0;
  const work = Promise.all([
    primarySession(settings, log, deadline, tokens).catch(naming(`role-to-assume ${settings.roleToAssume}`, several)),
    ...settings.profiles.map((profile) =>
      profileSession(settings, profile, log, deadline, tokens)
        .then((session) => ({ profile, session }))
        .catch(naming(`Profile "${profile.name}" (${profileRoles(profile)})`, true)),
    ),
  ]);
  const [primary, ...profiles] = await withDeadline(work, deadline, 'Getting AWS credentials');
  return { primary: primary as Session, profiles: profiles as RunSessions['profiles'] };
}

/** The exchange for a single role (exec, env, credential-process). */
export async function obtainSession(settings: Settings, log: Logger): Promise<Session> {
  return (await obtainSessions(settings, log)).primary;
}
