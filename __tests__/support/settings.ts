/**
 * Settings sources for unit tests, without a process or a runner.
 *
 *   parseSettings(actionSource({ 'aws-region': 'us-east-1', 'role-to-assume': arn }, { ACTIONS_ID_TOKEN_REQUEST_URL: … }))
 *   parseSettings(cliSource({ 'role-to-assume': arn }, { AWS_REGION: 'eu-west-1' }))
 *   settingsError(() => parseSettings(…))   // the thrown error, failing the test when nothing is thrown
 *
 * `inputs` are what `with:` (or `--flag`) would give; `env` is the whole environment the settings may read.
 */
import type { SettingsSource } from '../../src/settings/values';

type Values = Readonly<Record<string, string | undefined>>;

export function actionSource(
  inputs: Values,
  env: Values = {},
  paths: { cwd?: string; homedir?: string } = {},
): SettingsSource {
  return {
    mode: 'action',
    explicit: (name) => inputs[name],
    env: { GITHUB_ACTIONS: 'true', ...env },
    cwd: paths.cwd ?? '/work/cwd',
    homedir: paths.homedir ?? '/home/runner',
  };
}

export function cliSource(
  flags: Values,
  env: Values = {},
  paths: { cwd?: string; homedir?: string } = {},
): SettingsSource {
  return {
    mode: 'cli',
    explicit: (name) => flags[name],
    env,
    cwd: paths.cwd ?? '/work/cwd',
    homedir: paths.homedir ?? '/home/user',
  };
}

export function settingsError(fn: () => unknown): Error & { code?: string; hint?: string; kind?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}
