import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import type { ProfileUndo } from './profile-write';
import { type CommandTarget, prepareGithubRefreshable } from './refreshable';

interface ProfileDelivery {
  readonly plan: ProfilePlan;
  readonly refreshable: boolean;
  /** Private directory (0700) for the undo record, and the refreshable profile's own files. */
  readonly directory: () => string;
  readonly edits: (session: Session) => readonly FileEdit[];
}

export interface GithubDelivery {
  readonly profile?: ProfileDelivery;
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
    const { plan, directory, edits } = prepareGithubRefreshable(settings, runnerTemp, target);
    return { profile: { plan, refreshable: true, directory: () => directory, edits: () => edits } };
  }
  if (settings.awsProfile === undefined) return {};
  const plan = planProfile({ ...settings, awsProfile: settings.awsProfile });
  return {
    profile: {
      plan,
      refreshable: false,
      directory: () => mkdtempSync(join(runnerTemp ?? tmpdir(), 'keyless-aws-')),
      edits: (session) => staticProfileEdits(plan, session, settings.region),
    },
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
  session: Session,
  runner: GithubRunner,
  log: Logger,
): Promise<void> {
  if (settings.maskAwsAccountId) {
    registerSecret(session.accountId);
    registerSecret(session.arn);
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

  if (profile) await writeProfileAndFlush(profile, session, runner);
  else runner.flush();

  const expires = session.credentials.expiration
    ? `; they expire at ${isoSeconds(session.credentials.expiration)}`
    : '';
  const where = profile ? ` in profile "${profile.plan.name}"` : '';
  log.info(`Credentials for ${session.arn}${where}${expires}.`);
}

/**
 * Writes the profile, then — still under its locks — the undo record for the post step and the runner files. A
 * failure anywhere rolls the profile files back and removes the private directory, so nothing is half done.
 */
async function writeProfileAndFlush(profile: ProfileDelivery, session: Session, runner: GithubRunner): Promise<void> {
  // The lock and transaction code loads only on this path.
  const { writeProfile } = await import('./profile-write');
  const directory = profile.directory();
  const undoFile = join(directory, 'undo.json');
  try {
    writeProfile(profile.plan, profile.edits(session), (undo: ProfileUndo) => {
      // It may hold an overwritten section's keys: 0600 in a 0700 directory, never in the runner's state.
      writeFileAtomic(undoFile, JSON.stringify(undo));
      const state: ProfileState = { name: profile.plan.name, undoFile };
      runner.saveState(STATE_PROFILE, JSON.stringify(state));
      runner.saveState(STATE_FILES, JSON.stringify([directory]));
      runner.flush();
    });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
