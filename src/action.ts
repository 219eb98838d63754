import { homedir } from 'node:os';
import { obtainSessions } from './exchange/obtain';
import { formatFailure } from './report';
import { onSecret } from './secrets';
import { parseSettings } from './settings/parse';
import type { SettingsSource } from './settings/values';
import { GithubRunner } from './sink/github';
import { deliverToGithub, prepareGithubDelivery } from './sink/github-delivery';
import { runningTarget } from './sink/refreshable';

type Env = Readonly<Record<string, string | undefined>>;

/** How the runner passes `with:` inputs: INPUT_<NAME> upper-cased, spaces to underscores, hyphens kept. */
export function actionSettingsSource(env: Env): SettingsSource {
  return {
    mode: 'action',
    explicit: (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`],
    env,
    cwd: process.cwd(),
    homedir: env.HOME ?? homedir(),
  };
}

/** The GitHub Action: settings → token → exchange → runner files. Returns the process exit code. */
export async function runAction(env: Env): Promise<number> {
  const runner = new GithubRunner(env);
  onSecret((secret) => runner.addMask(secret));
  const debug = env.RUNNER_DEBUG === '1';
  const log = runner.logger(debug);
  try {
    const settings = parseSettings(actionSettingsSource(env));
    if (settings.unsetCurrentCredentials) {
      // The SDK's default chain reads these itself; unset means it must not find them.
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
    }
    const delivery = prepareGithubDelivery(settings, runner, env.RUNNER_TEMP, runningTarget());
    const sessions = await obtainSessions(settings, log);
    await deliverToGithub(settings, delivery, sessions, runner, log);
    return 0;
  } catch (error) {
    log.error(formatFailure(error, debug));
    return 1;
  }
}
