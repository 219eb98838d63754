import { rmSync } from 'node:fs';
import { formatFailure } from './report';
import { GithubRunner } from './sink/github';
import { STATE_EXPORTED, STATE_FILES, STATE_PROFILE } from './sink/github-delivery';
import { type ProfilePlan, removeProfile } from './sink/profile';

function state<T>(env: NodeJS.ProcessEnv, name: string): T | undefined {
  const raw = env[`STATE_${name}`];
  return raw ? (JSON.parse(raw) as T) : undefined;
}

/**
 * Post step: blanks every variable the main step exported (the runner cannot unset them) and removes the profile
 * sections and files it wrote. Skipped entirely when AWS_SKIP_CLEANUP_STEP is 'true' (action.yml post-if).
 */
export function runCleanup(env: NodeJS.ProcessEnv): number {
  const runner = new GithubRunner(env);
  const log = runner.logger(env.RUNNER_DEBUG === '1');
  try {
    const exported = state<string[]>(env, STATE_EXPORTED) ?? [];
    const profile = state<ProfilePlan>(env, STATE_PROFILE);
    const files = state<string[]>(env, STATE_FILES) ?? [];
    if (exported.length > 0) runner.requireFiles('GITHUB_ENV');
    if (profile) removeProfile(profile);
    for (const file of files) rmSync(file, { recursive: true, force: true });
    for (const name of exported) runner.exportVariable(name, '');
    runner.flush();
    if (exported.length + files.length > 0 || profile) {
      log.info(`Cleared ${exported.length} exported variable(s)${profile ? ` and profile "${profile.name}"` : ''}.`);
    }
    return 0;
  } catch (error) {
    log.error(formatFailure(error, env.RUNNER_DEBUG === '1'));
    return 1;
  }
}

process.exitCode = runCleanup(process.env);
