/**
 * `node dist/index.js logout NAME` with a name that is not a provider name: exit 2 naming it, before any file or
 * keychain is touched (the name reaches the session file's path, `security -i` and a PowerShell script).
 */
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../support/run-cli';

afterAll(() => cleanupCliDirs());

test.each([
  ['a PowerShell quote', 'x\u2019; Start-Process calc; \u2019'],
  ['a path', '../../.ssh/id_rsa'],
  ['white space', 'work -a other'],
])('logout with %s in the name is exit 2, naming it', async (_what, name) => {
  const dir = cliDir();
  const run = await runCli(['logout', name], { env: cliEnv(dir) });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('is not a provider name');
  expect(run.stderr).not.toContain('Signed out');
});
