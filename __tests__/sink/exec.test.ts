import { silentLogger } from '../../src/log';
import { EXIT_NOT_FOUND, programEnvironment, runProgram } from '../../src/sink/exec';

test('programEnvironment removes profile selectors and an empty session token, sets the rest', () => {
  const env = programEnvironment(
    {
      PATH: '/bin',
      AWS_PROFILE: 'p',
      AWS_DEFAULT_PROFILE: 'p',
      AWS_SECURITY_TOKEN: 'old',
      AWS_SESSION_TOKEN: 'old',
      KEEP: '1',
    },
    { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: '' },
  );
  expect(env).toEqual({ PATH: '/bin', KEEP: '1', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' });
});

const node = (code: string) => ({
  program: process.execPath,
  args: ['-e', code],
  env: { PATH: process.env.PATH ?? '' },
  log: silentLogger,
  interactive: false,
});

test('runProgram resolves with the exit code, 128+n for a signal, 127 for a missing program', async () => {
  expect(await runProgram(node('process.exit(3)'))).toBe(3);
  expect(await runProgram(node("process.kill(process.pid, 'SIGKILL')"))).toBe(128 + 9);
  expect(await runProgram({ ...node(''), program: 'keyless-no-such-program' })).toBe(EXIT_NOT_FOUND);
});

test('runProgram stops forwarding signals once the program has ended', async () => {
  const before = process.listenerCount('SIGTERM');
  await runProgram(node(''));
  expect(process.listenerCount('SIGTERM')).toBe(before);
});
