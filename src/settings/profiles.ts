/**
 * The `profiles` input: further roles assumed in the same run, each delivered as a named profile. One profile per
 * line (the CLI repeats --profiles instead):
 *
 *     prod=arn:aws:iam::222222222222:role/deploy region=eu-west-1 duration=1800 chain=arn:aws:iam::222222222222:role/audit
 *
 * Keys a line does not give take the run's own value (aws-region, role-duration-seconds, role-session-name,
 * audience, managed-session-policies, inline-session-policy).
 */
import { InputError } from '../errors';
import { shownValue } from '../secrets';
import { checkProfilePartition } from './partition';
import type { ProfileRole, Settings } from './types';

export interface ProfileDefaults {
  readonly region: string;
  readonly durationSeconds: number;
  readonly roleSessionName: string;
  readonly audience: string;
  readonly managedSessionPolicies: readonly string[];
  readonly inlineSessionPolicy?: string;
}

export interface ProfileSyntax {
  readonly roleArn: RegExp;
  readonly region: RegExp;
  readonly sessionName: RegExp;
  readonly profileName: RegExp;
  readonly policyArn: RegExp;
}

const KEYS = ['region', 'duration', 'session-name', 'audience', 'managed-session-policies', 'chain'] as const;
type Key = (typeof KEYS)[number];

/** AWS caps a session assumed with role-chaining credentials at one hour, whatever the role allows. */
export const CHAINED_MAX_SECONDS = 3600;

/** Parses every line; `label` is how the user gave them (input "profiles" or --profiles), for errors. */
export function parseProfiles(
  lines: readonly string[],
  label: string,
  defaults: ProfileDefaults,
  syntax: ProfileSyntax,
): ProfileRole[] {
  const profiles = lines.map((line, index) => parseLine(line, `${label} line ${index + 1}`, defaults, syntax));
  const seen = new Set<string>();
  profiles.forEach((profile, index) => {
    if (seen.has(profile.name)) {
      throw new InputError(`${label} line ${index + 1}: profile "${profile.name}" is named twice.`);
    }
    seen.add(profile.name);
  });
  return profiles;
}

function parseLine(line: string, where: string, defaults: ProfileDefaults, syntax: ProfileSyntax): ProfileRole {
  const [head = '', ...rest] = line.split(/\s+/);
  const equals = head.indexOf('=');
  const name = head.slice(0, Math.max(equals, 0));
  const roleArn = head.slice(equals + 1);
  if (equals <= 0 || !syntax.profileName.test(name)) {
    throw new InputError(
      `${where} must start with <profile-name>=<role-arn>, got ${shownValue(head)}.`,
      'Example: prod=arn:aws:iam::222222222222:role/deploy region=eu-west-1; names use letters, digits and . _ + @ : -.',
    );
  }
  if (!syntax.roleArn.test(roleArn)) {
    throw new InputError(
      `${where}: the role of profile "${name}" must be a role ARN like arn:aws:iam::123456789012:role/deploy, got ${shownValue(roleArn)}.`,
    );
  }
  const values = keyValues(rest, where);
  const value = (key: Key) => values.get(key);

  const region = value('region') ?? defaults.region;
  if (!syntax.region.test(region)) {
    throw new InputError(`${where}: region must be a region name such as eu-west-1, got ${shownValue(region)}.`);
  }
  const chainRoleArn = value('chain');
  if (chainRoleArn !== undefined && !syntax.roleArn.test(chainRoleArn)) {
    throw new InputError(`${where}: chain must be a role ARN, got ${shownValue(chainRoleArn)}.`);
  }
  const durationSeconds = parseDuration(value('duration'), where, defaults.durationSeconds, chainRoleArn);
  const roleSessionName = value('session-name') ?? defaults.roleSessionName;
  if (!syntax.sessionName.test(roleSessionName)) {
    throw new InputError(
      `${where}: session-name must be 2-64 characters of letters, digits and + = , . @ _ -, got ${shownValue(roleSessionName)}.`,
    );
  }
  const policies = value('managed-session-policies');
  const managedSessionPolicies = policies === undefined ? defaults.managedSessionPolicies : policies.split(',');
  for (const arn of managedSessionPolicies) {
    if (!syntax.policyArn.test(arn)) {
      throw new InputError(`${where}: managed-session-policies: ${shownValue(arn)} is not a policy ARN.`);
    }
  }
  checkProfilePartition(where, region, [
    { label: `${where}: the role of profile "${name}"`, arns: [roleArn] },
    { label: `${where}: chain`, arns: chainRoleArn ? [chainRoleArn] : [] },
    { label: `${where}: managed-session-policies:`, arns: managedSessionPolicies },
  ]);
  return {
    name,
    roleArn,
    region,
    durationSeconds,
    roleSessionName,
    audience: value('audience') ?? defaults.audience,
    managedSessionPolicies,
    ...(defaults.inlineSessionPolicy ? { inlineSessionPolicy: defaults.inlineSessionPolicy } : {}),
    ...(chainRoleArn ? { chainRoleArn } : {}),
  };
}

function keyValues(words: readonly string[], where: string): Map<Key, string> {
  const values = new Map<Key, string>();
  for (const word of words) {
    const equals = word.indexOf('=');
    const key = word.slice(0, Math.max(equals, 0)) as Key;
    if (equals <= 0 || !KEYS.includes(key)) {
      throw new InputError(
        `${where}: unknown setting ${shownValue(word.slice(0, equals > 0 ? equals : undefined))}.`,
        `Each setting after the role is key=value with key one of ${KEYS.join(', ')}.`,
      );
    }
    if (values.has(key)) throw new InputError(`${where}: ${key} is given twice.`);
    const value = word.slice(equals + 1);
    if (value === '') throw new InputError(`${where}: ${key} is empty.`);
    values.set(key, value);
  }
  return values;
}

function parseDuration(raw: string | undefined, where: string, fallback: number, chain: string | undefined): number {
  let seconds = fallback;
  if (raw !== undefined) {
    if (!/^\d+$/.test(raw) || Number(raw) < 900 || Number(raw) > 43200) {
      throw new InputError(`${where}: duration must be a whole number between 900 and 43200, got ${shownValue(raw)}.`);
    }
    seconds = Number(raw);
  }
  if (chain !== undefined && seconds > CHAINED_MAX_SECONDS) {
    throw new InputError(
      `${where}: a chained role session lasts at most ${CHAINED_MAX_SECONDS} seconds (AWS role chaining limit), but duration is ${seconds}.`,
      `Add duration=${CHAINED_MAX_SECONDS} (or less) to the line.`,
    );
  }
  return seconds;
}

/**
 * The run's settings as they apply to one further role: its role, region, duration, session name, audience and
 * policies. Exchanges and the credential_process command line are built from it exactly as for role-to-assume.
 */
export function settingsForProfile(settings: Settings, profile: ProfileRole): Settings {
  const { inlineSessionPolicy: _inherited, ...rest } = settings;
  return {
    ...rest,
    region: profile.region,
    roleToAssume: profile.roleArn,
    roleDurationSeconds: profile.durationSeconds,
    roleSessionName: profile.roleSessionName,
    audience: profile.audience,
    managedSessionPolicies: profile.managedSessionPolicies,
    ...(profile.inlineSessionPolicy ? { inlineSessionPolicy: profile.inlineSessionPolicy } : {}),
    awsProfile: profile.name,
    profiles: [],
  };
}
