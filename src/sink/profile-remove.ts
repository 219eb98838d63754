/**
 * `profile --remove`: takes out the sections keyless-aws wrote for one profile, under the same locks and in the same
 * all-or-nothing transaction as a write, keeping every other section, comment and line ending as it is.
 *
 * What counts as ours (anything else is refused unless overwrite-aws-profile):
 * - `[profile NAME]` (`[default]`) in the config file whose credential_process runs `credential-process` of a
 *   keyless-aws bundle (`…/index.js` or `keyless-aws`), with no key besides region and credential_process;
 * - `[NAME]` in the credentials file holding exactly what a static write puts there: temporary keys with their
 *   expiration (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_credential_expiration). Long-lived
 *   keys are never ours;
 * - a config section holding only region, when the credentials section beside it is ours (a static profile's).
 * Loaded only by `profile --remove`.
 */
import { basename } from 'node:path';
import { InputError } from '../errors';
import { commitFileEdits, type FileEdit } from './file-transaction';
import { removeSection, sectionValues } from './ini';
import { configSectionName } from './profile';
import { splitCommandLine } from './shell-formats';

export interface RemoveTarget {
  readonly name: string;
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly overwrite: boolean;
}

export interface RemovedProfile {
  /** `file [section]` of every section removed; empty when the profile was not there. */
  readonly removed: readonly string[];
  /** The argv of the removed credential_process line, when it was ours: it names the build's token source. */
  readonly processArgs?: readonly string[];
}

const STATIC_KEYS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_credential_expiration'];
const BUNDLE_NAMES = new Set(['index.js', 'keyless-aws', 'keyless-aws.cmd']);

/** The arguments after `credential-process` when the line is one keyless-aws wrote, else undefined. */
export function ourProcessArgs(
  line: string | undefined,
  platform: NodeJS.Platform = process.platform,
): string[] | undefined {
  if (line === undefined) return undefined;
  const argv = splitCommandLine(line, platform);
  // <node> <bundle> credential-process …, or <keyless-aws> credential-process … for an installed bin.
  const at = argv.indexOf('credential-process');
  if (at < 1 || at > 2 || !BUNDLE_NAMES.has(basename(argv[at - 1]!.replace(/\\/g, '/')))) return undefined;
  return argv.slice(at);
}

function onlyKeys(values: ReadonlyMap<string, string>, allowed: readonly string[]): boolean {
  return [...values.keys()].every((key) => allowed.includes(key));
}

function isOurStaticSection(values: ReadonlyMap<string, string>): boolean {
  return values.size === STATIC_KEYS.length && onlyKeys(values, STATIC_KEYS);
}

function isOurConfigSection(values: ReadonlyMap<string, string>, credentialsOurs: boolean): boolean {
  if (values.has('credential_process')) {
    return (
      onlyKeys(values, ['region', 'credential_process']) &&
      ourProcessArgs(values.get('credential_process')) !== undefined
    );
  }
  return credentialsOurs && onlyKeys(values, ['region']);
}

/**
 * Removes the profile's sections from both files (or neither). Ownership is judged on the text read under the
 * locks, credentials file first, so a section another writer put there a moment ago is judged too.
 */
export function removeProfile(target: RemoveTarget): RemovedProfile {
  const configSection = configSectionName(target.name);
  // Each edit runs once before the locks (to skip files it leaves unchanged) and again under them: the last run counts.
  const removed = new Map<string, string | undefined>();
  let credentialsOurs = false;
  let processArgs: string[] | undefined;

  const refuse = (file: string, section: string): never => {
    throw new InputError(
      `Profile "${target.name}": section [${section}] in ${file} was not written by keyless-aws; nothing was removed.`,
      'Pass --overwrite-aws-profile to remove it anyway, or edit the file yourself.',
    );
  };
  const credentials: FileEdit = {
    path: target.credentialsFile,
    what: 'The credentials file',
    secret: true,
    edit: (text) => {
      const values = sectionValues(text, target.name);
      credentialsOurs = values !== undefined && isOurStaticSection(values);
      removed.set('credentials', undefined);
      if (values === undefined) return text;
      if (!credentialsOurs && !target.overwrite) refuse(target.credentialsFile, target.name);
      removed.set('credentials', `${target.credentialsFile} [${target.name}]`);
      return removeSection(text, target.name);
    },
  };
  const config: FileEdit = {
    path: target.configFile,
    what: 'The config file',
    secret: false,
    edit: (text) => {
      const values = sectionValues(text, configSection);
      removed.set('config', undefined);
      processArgs = undefined;
      if (values === undefined) return text;
      if (!isOurConfigSection(values, credentialsOurs) && !target.overwrite) refuse(target.configFile, configSection);
      processArgs = ourProcessArgs(values.get('credential_process'));
      removed.set('config', `${target.configFile} [${configSection}]`);
      return removeSection(text, configSection);
    },
  };
  commitFileEdits([credentials, config]);
  const sections = [...removed.values()].filter((section) => section !== undefined);
  return { removed: sections, ...(processArgs ? { processArgs } : {}) };
}
