import { ourProcessArgs } from '../../src/sink/profile-remove';
import { commandLine } from '../../src/sink/refreshable';

const SETTINGS = ['credential-process', '--aws-region', 'eu-west-1', '--role-to-assume', 'arn:aws:iam::1:role/r'];
const ODD = ['--web-identity-token-file', `/tmp/it's "a" token\\ file%PATH%`, '--role-session-name', 'a b'];

test.each([
  ['linux', ['/usr/bin/node', "/home/o'neil/my tools/dist/index.js"]],
  ['darwin', ['/opt/node 20/bin/node', '/srv/keyless-aws/dist/index.js']],
  ['win32', ['C:\\Program Files\\nodejs\\node.exe', 'C:\\a b\\trailing\\dist\\index.js']],
] as const)(
  'a line keyless-aws writes for %s is recognised, with the arguments it was written with',
  (platform, target) => {
    const argv = [...target, ...SETTINGS, ...ODD];
    expect(ourProcessArgs(commandLine(argv, platform), platform)).toEqual([...SETTINGS, ...ODD]);
  },
);

test('an installed keyless-aws bin is recognised too', () => {
  expect(ourProcessArgs('/usr/local/bin/keyless-aws credential-process --aws-region x', 'linux')).toEqual([
    'credential-process',
    '--aws-region',
    'x',
  ]);
});

test.each([
  'aws-vault export --format=json-process prod',
  '/usr/bin/node /opt/other/tool.js credential-process --x',
  '/usr/bin/node /x/dist/index.js env --format json',
  '/usr/bin/node /x/dist/index.js exec -- credential-process',
  '',
])('a line keyless-aws did not write is not ours: %j', (line) => {
  expect(ourProcessArgs(line, 'linux')).toBeUndefined();
});
