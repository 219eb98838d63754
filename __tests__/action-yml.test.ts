import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INPUTS } from '../src/settings/inputs';

interface ActionYml {
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: Record<string, string>;
}

const action = parse(readFileSync(join(__dirname, '..', 'action.yml'), 'utf8')) as ActionYml;

describe('action.yml', () => {
  it('declares exactly the inputs of the settings table, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(INPUTS.map((i) => i.name).sort());
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect({ name, described: (spec.description ?? '').length > 10 }).toEqual({ name, described: true });
    }
  });

  it('keeps every configure-aws-credentials v6 input name', () => {
    const v6 = [
      'aws-region',
      'role-to-assume',
      'audience',
      'role-session-name',
      'role-duration-seconds',
      'web-identity-token-file',
      'role-chaining',
      'aws-access-key-id',
      'aws-secret-access-key',
      'aws-session-token',
      'aws-profile',
      'overwrite-aws-profile',
      'http-proxy',
      'no-proxy',
      'mask-aws-account-id',
      'role-external-id',
      'role-skip-session-tagging',
      'transitive-tag-keys',
      'inline-session-policy',
      'managed-session-policies',
      'output-credentials',
      'output-env-credentials',
      'unset-current-credentials',
      'disable-retry',
      'retry-max-attempts',
      'special-characters-workaround',
      'use-existing-credentials',
      'allowed-account-ids',
      'force-skip-oidc',
      'action-timeout-s',
      'custom-tags',
      'sts-endpoint',
    ];
    expect(v6.filter((name) => !(name in action.inputs))).toEqual([]);
  });

  it('applies defaults in code, not in action.yml, so each flow can choose its own (e.g. the audience)', () => {
    expect(Object.entries(action.inputs).filter(([, spec]) => spec.default !== undefined)).toEqual([]);
  });

  it('declares the outputs configure-aws-credentials sets, plus the Cognito identity id', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(
      [
        'aws-account-id',
        'authenticated-arn',
        'aws-access-key-id',
        'aws-secret-access-key',
        'aws-session-token',
        'aws-expiration',
        'cognito-identity-id',
      ].sort(),
    );
  });

  it('runs on node24 with a post step that AWS_SKIP_CLEANUP_STEP can skip', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/cleanup/index.js',
      'post-if': "env.AWS_SKIP_CLEANUP_STEP != 'true'",
    });
  });
});

describe('README Inputs table', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const rows = new Map(
    [...readme.matchAll(/^\| `([a-z-]+)` \| [^|]* \| ([^|]*) \| ([^|]*) \|$/gm)].map((m) => [m[1]!, [m[2]!, m[3]!]]),
  );
  const cell = (vars: readonly string[]) => (vars.length > 0 ? vars.map((v) => `\`${v}\``).join(', ') : '—');

  it.each(INPUTS.map((i) => [i.name, i]))(
    'lists the action and CLI fallbacks of %s as the table does',
    (name, spec) => {
      expect(rows.get(name as string)?.map((c) => c.trim())).toEqual([cell(spec.actionEnv), cell(spec.env)]);
    },
  );
});
