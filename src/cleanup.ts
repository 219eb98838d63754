import { rmSync } from 'node:fs';
import { removeJobCacheEntries } from './cache/build-cleanup';
import { formatFailure } from './report';
import { readSnapshot } from './sink/atomic-file';
import { GithubRunner } from './sink/github';
import { type ProfileState, STATE_EXPORTED, STATE_FILES, STATE_PROFILE } from './sink/post-step-state';
import { type ProfileUndo, undoProfile } from './sink/profile-write';

function state<T>(env: NodeJS.ProcessEnv, name: string): T | undefined {
  const raw = env[`STATE_${name}`];
  return raw ? (JSON.parse(raw) as T) : undefined;
}

/**
 * The main step's record of what it changed (one profile, or several written together); refused if it is a symlink
 * (O_NOFOLLOW), like every file we touch.
 */
function readUndo(file: string): ProfileUndo[] | undefined {
  const snapshot = readSnapshot(file, 'The post-step record');
  if (!snapshot) return undefined;
  const record = JSON.parse(snapshot.content.toString('utf8')) as ProfileUndo | ProfileUndo[];
  return Array.isArray(record) ? record : [record];
}

/**
 * Post step: blanks every variable the main step exported (the runner cannot unset them), puts back the profile
 * sections it overwrote, removes those it added and the files and directories it created, deletes its private
 * directory, and removes the credentials later steps' credential_process cached for this job. Skipped entirely when
 * AWS_SKIP_CLEANUP_STEP is 'true' (action.yml post-if).
 */
export function runCleanup(env: NodeJS.ProcessEnv): number {
  const runner = new GithubRunner(env);
  const log = runner.logger(env.RUNNER_DEBUG === '1');
  try {
    const exported = state<string[]>(env, STATE_EXPORTED) ?? [];
    const profile = state<ProfileState>(env, STATE_PROFILE);
    const files = state<string[]>(env, STATE_FILES) ?? [];
    if (exported.length > 0) runner.requireFiles('GITHUB_ENV');
    const undo = profile?.undoFile ? readUndo(profile.undoFile) : undefined;
    if (profile && !undo)
      log.warn(`The record of profile "${profile.name}" is gone; its sections were left as they are.`);
    // Last written, first undone: each profile's sections go back to what they were before the whole write.
    for (const record of [...(undo ?? [])].reverse()) undoProfile(record);
    for (const file of files) rmSync(file, { recursive: true, force: true });
    const uncached = removeJobCacheEntries(env);
    for (const name of exported) runner.exportVariable(name, '');
    runner.flush();
    if (exported.length + files.length > 0 || profile) {
      log.info(`Cleared ${exported.length} exported variable(s)${profile ? ` and profile "${profile.name}"` : ''}.`);
    }
    if (uncached > 0) log.info(`Removed ${uncached} cached credential set(s) of this job.`);
    return 0;
  } catch (error) {
    log.error(formatFailure(error, env.RUNNER_DEBUG === '1'));
    return 1;
  }
}

process.exitCode = runCleanup(process.env);
