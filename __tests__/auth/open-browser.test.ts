import { browserArgv, defaultBrowserCommand } from '../../src/auth/open-browser';

const URL_WITH_SHELL_CHARACTERS = 'https://login.example.com/auth?a=1&b=$(id)&c=`x`;d';

test('the URL goes where {} is, as one argument, never through a shell', () => {
  expect(browserArgv('firefox -P work --new-window {}', URL_WITH_SHELL_CHARACTERS)).toEqual([
    'firefox',
    '-P',
    'work',
    '--new-window',
    URL_WITH_SHELL_CHARACTERS,
  ]);
});

test('double quotes group words (a path with spaces, an empty window title)', () => {
  expect(browserArgv('"/Applications/Google Chrome.app/x" --profile-directory="Profile 1" {}', 'u')).toEqual([
    '/Applications/Google Chrome.app/x',
    '--profile-directory=Profile 1',
    'u',
  ]);
});

test('no default opener is a command interpreter: a URL with & ; | $ reaches the browser whole', () => {
  const shells = /^(cmd|cmd\.exe|sh|bash|powershell|pwsh)$/i;
  for (const platform of ['win32', 'darwin', 'linux'] as const) {
    const argv = browserArgv(defaultBrowserCommand(platform), URL_WITH_SHELL_CHARACTERS);
    expect(argv[0]).not.toMatch(shells);
    expect(argv.at(-1)).toBe(URL_WITH_SHELL_CHARACTERS);
  }
  expect(browserArgv(defaultBrowserCommand('win32'), 'u')).toEqual(['rundll32', 'url.dll,FileProtocolHandler', 'u']);
});

test('each platform has a default opener', () => {
  expect(defaultBrowserCommand('linux')).toBe('xdg-open {}');
  expect(defaultBrowserCommand('darwin')).toBe('open {}');
});
