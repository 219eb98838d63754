import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSessions } from '../exchange/obtain';
import type { Session } from '../exchange/session';
import type { Logger } from '../log';
import { registerSecret } from '../secrets';
import type { Settings } from '../settings/types';
import { writeFileAtomic } from './atomic-file';
import { credentialVariables, isoSeconds } from './env-vars';
import type { FileEdit } from './file-transaction';
import type { GithubRunner } from './github';
import { type ProfileState, STATE_EXPORTED, STATE_FILES, STATE_PROFILE } from './post-step-state';
import { type ProfilePlan, planProfile, staticProfileEdits } from './profile';
import type { ProfileUndo, ProfileWrite } from './profile-write';
import { type CommandTarget, prepareGithubRefreshable } from './refreshable';

interface ProfileDelivery {
  readonly plan: ProfilePlan;
  readonly refreshable: boolean;
  readonly edits: (session: Session) => readonly FileEdit[];
}

export interface GithubDelivery {
  /** role-to-assume's profile (aws-profile, or refreshable-credentials). */
  readonly profile?: ProfileDelivery;
  /** One per line of `profiles`, in their order. */
  readonly others: readonly ProfileDelivery[];
  /** Private directory (0700) for the undo record, and the refreshable profiles' own files. */
  readonly directory: () => string;
}

/** Everything that can be checked about the delivery is checked here, before the first network call. */
export function prepareGithubDelivery(
  settings: Settings,
  runner: GithubRunner,
  runnerTemp: string | undefined,
  target: CommandTarget,
): GithubDelivery {
  // GITHUB_STATE too: without it the post step could not undo what this step exports.
  runner.requireFiles('GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE');
  if (settings.refreshableCredentials) {
    const { plan, directory, edits, others } = prepareGithubRefreshable(settings, runnerTemp, target);
    const refreshable = (p: { plan: ProfilePlan; edits: FileEdit[] }) => ({
      ...p,
      refreshable: true,
      edits: () => p.edits,
    });
    return { profile: refreshable({ plan, edits }), others: others.map(refreshable), directory: () => directory };
  }
  const staticProfile = (name: string, region: string): ProfileDelivery => {
    const plan = planProfile({ ...settings, awsProfile: name });
    return { plan, refreshable: false, edits: (session) => staticProfileEdits(plan, session, region) };
  };
  return {
    ...(settings.awsProfile === undefined ? {} : { profile: staticProfile(settings.awsProfile, settings.region) }),
    others: settings.profiles.map((p) => staticProfile(p.name, p.region)),
    directory: () => mkdtempSync(join(runnerTemp ?? tmpdir(), 'keyless-aws-')),
  };
}

/**
 * Delivers a session to the workflow: profile files, env, outputs and post-step state. Called only after the whole
 * exchange succeeded. All or nothing: the runner files are appended while the profile files' locks are held, and
 * if anything fails the profile files are rolled back and the runner files cut back to where they were.
 */
export async function deliverToGithub(
  settings: Settings,
  delivery: GithubDelivery,
  sessions: RunSessions,
  runner: GithubRunner,
  log: Logger,
): Promise<void> {
  const session = sessions.primary;
  if (settings.maskAwsAccountId) {
    for (const { accountId, arn } of [session, ...sessions.profiles.map((p) => p.session)]) {
      registerSecret(accountId);
      registerSecret(arn);
    }
  }
  runner.setOutput('aws-account-id', session.accountId);
  runner.setOutput('authenticated-arn', session.arn);
  if (session.identityId) runner.setOutput('cognito-identity-id', session.identityId);

  if (session.reused) {
    runner.flush();
    log.info(`Kept the existing credentials of ${session.arn}.`);
    return;
  }

  const { profile } = delivery;
  const exported: Record<string, string> = { AWS_REGION: settings.region, AWS_DEFAULT_REGION: settings.region };
  if (profile?.refreshable) {
    exported.AWS_CONFIG_FILE = profile.plan.configFile;
    exported.AWS_SHARED_CREDENTIALS_FILE = profile.plan.credentialsFile;
    // Keys an earlier step exported would outrank the profile in the AWS CLI and most SDKs; every SDK skips empty ones.
    Object.assign(exported, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
  }
  if (profile) exported.AWS_PROFILE = profile.plan.name;
  if (settings.outputEnvCredentials && !profile?.refreshable) {
    Object.assign(exported, credentialVariables(session, settings.region));
  }
  for (const [name, value] of Object.entries(exported)) runner.exportVariable(name, value);

  if (settings.outputCredentials) {
    const { credentials } = session;
    runner.setOutput('aws-access-key-id', credentials.accessKeyId);
    runner.setOutput('aws-secret-access-key', credentials.secretAccessKey);
    if (credentials.sessionToken) runner.setOutput('aws-session-token', credentials.sessionToken);
    if (credentials.expiration) runner.setOutput('aws-expiration', isoSeconds(credentials.expiration));
  }
  runner.saveState(STATE_EXPORTED, JSON.stringify(Object.keys(exported)));
  log.debug(
    `sink: ${Object.keys(exported).join(', ')} to GITHUB_ENV; outputs to GITHUB_OUTPUT; the undo record to GITHUB_STATE${profile ? `; profile "${profile.plan.name}" to ${profile.plan.credentialsFile} and ${profile.plan.configFile}` : ''}`,
  );

  const writes = [
    ...(profile ? [{ plan: profile.plan, edits: profile.edits(session) }] : []),
    ...delivery.others.map((other, index) => ({
      plan: other.plan,
      edits: other.edits(sessions.profiles[index]!.session),
    })),
  ];
  if (writes.length > 0) await writeProfilesAndFlush(writes, delivery.directory, runner);
  else runner.flush();

  const expires = session.credentials.expiration
    ? `; they expire at ${isoSeconds(session.credentials.expiration)}`
    : '';
  const where = profile ? ` in profile "${profile.plan.name}"` : '';
  log.info(`Credentials for ${session.arn}${where}${expires}.`);
  for (const [index, { session: other }] of sessions.profiles.entries()) {
    const kind = delivery.others[index]?.refreshable ? 'refreshable profile' : 'profile';
    log.info(`Credentials for ${other.arn} in ${kind} "${delivery.others[index]?.plan.name}".`);
  }
}

/**
 * Writes the profiles, then — still under their locks — the undo record for the post step and the runner files. A
 * failure anywhere rolls the profile files back and removes the private directory, so nothing is half done.
 */
async function writeProfilesAndFlush(
  writes: readonly ProfileWrite[],
  makeDirectory: () => string,
  runner: GithubRunner,
): Promise<void> {
  // The lock and transaction code loads only on this path.
  const { writeProfiles } = await import('./profile-write');
  const directory = makeDirectory();
  const undoFile = join(directory, 'undo.json');
  try {
    writeProfiles(writes, (undos: ProfileUndo[]) => {
      // It may hold an overwritten section's keys: 0600 in a 0700 directory, never in the runner's state.
      writeFileAtomic(undoFile, JSON.stringify(undos.length === 1 ? undos[0] : undos));
      const state: ProfileState = { name: undos.map((u) => u.name).join('", "'), undoFile };
      runner.saveState(STATE_PROFILE, JSON.stringify(state));
      runner.saveState(STATE_FILES, JSON.stringify([directory]));
      runner.flush();
    });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
