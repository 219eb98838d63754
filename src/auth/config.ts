/**
 * The providers file: INI like ~/.aws/config, one `[provider NAME]` section per OpenID provider. Keys are the
 * command-line flag names, so a value moves between the file, a call and a credential_process line unchanged:
 *
 *   [provider google]
 *   issuer = https://accounts.google.com
 *   client-id = 1234.apps.googleusercontent.com
 *   role-to-assume = arn:aws:iam::123456789012:role/engineer
 *   aws-region = eu-west-1
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors';
import { INPUTS } from '../settings/inputs';

/** Keys of a provider that are not settings of the exchange. */
export const PROVIDER_KEYS = ['issuer', 'client-id', 'client-secret', 'scopes', 'browser', 'session-store'] as const;

/** Settings of the exchange a provider may set (never secrets, never action-only or profile-writing inputs). */
const SETTING_KEYS = INPUTS.filter((i) => !i.secret && !i.actionOnly).map((i) => i.name);

export interface ProviderConfig {
  readonly name: string;
  /** Every key as written, by flag name. */
  readonly values: ReadonlyMap<string, string>;
  /** `file:line` of each key, for messages about a value that is well formed but wrong. */
  readonly where: ReadonlyMap<string, string>;
}

export interface ProvidersFile {
  readonly path: string;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
}

const SECTION = /^\[\s*provider\s+([A-Za-z0-9_.-]+)\s*\]$/;
/**
 * What a provider name may hold (as in a section header): it names the session file and the keychain item, and
 * reaches `security -i`'s command line and a PowerShell script, so nothing that could end a word or a string.
 */
export const PROVIDER_NAME = /^[A-Za-z0-9_.-]+$/;
const KEY_VALUE = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/;

function fail(path: string, line: number, message: string, hint?: string): never {
  throw new InputError(
    `${path}:${line}: ${message}`,
    hint ?? 'Fix the providers file (see README "People: sign in from a laptop").',
  );
}

/** Parses the text of a providers file; every mistake names the file, the line and the key. */
export function parseProvidersFile(path: string, text: string): ProvidersFile {
  const providers = new Map<string, { name: string; values: Map<string, string>; where: Map<string, string> }>();
  let current: { name: string; values: Map<string, string>; where: Map<string, string> } | undefined;
  const known = new Set<string>([...PROVIDER_KEYS, ...SETTING_KEYS]);
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (trimmed.startsWith('[')) {
      const name = SECTION.exec(trimmed)?.[1];
      if (!name) fail(path, line, `expected a section header [provider NAME], got ${JSON.stringify(trimmed)}.`);
      if (providers.has(name)) fail(path, line, `[provider ${name}] appears twice.`);
      current = { name, values: new Map(), where: new Map() };
      providers.set(name, current);
      return;
    }
    const match = KEY_VALUE.exec(trimmed);
    if (!match) fail(path, line, `expected "key = value", got ${JSON.stringify(trimmed.slice(0, 40))}.`);
    const [, key, value] = match as unknown as [string, string, string];
    if (!current) fail(path, line, `key "${key}" comes before any [provider NAME] section.`);
    if (!known.has(key)) {
      fail(path, line, `unknown key "${key}" in [provider ${current.name}].`, `Known keys: ${[...known].join(', ')}.`);
    }
    if (current.values.has(key)) fail(path, line, `key "${key}" is set twice in [provider ${current.name}].`);
    if (value.trim() === '') fail(path, line, `key "${key}" in [provider ${current.name}] has no value.`);
    current.values.set(key, value.trim());
    current.where.set(key, `${path}:${line}`);
  });
  for (const provider of providers.values()) checkProvider(path, provider);
  return { path, providers };
}

function checkProvider(path: string, provider: ProviderConfig): void {
  const at = (key: string) => provider.where.get(key) ?? path;
  for (const key of ['issuer', 'client-id']) {
    if (!provider.values.has(key)) {
      throw new InputError(`${path}: [provider ${provider.name}] has no "${key}".`, `Add "${key} = …" to the section.`);
    }
  }
  const issuer = provider.values.get('issuer')!;
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  const loopback = url?.hostname === '127.0.0.1' || url?.hostname === 'localhost' || url?.hostname === '[::1]';
  if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))) {
    throw new InputError(
      `${at('issuer')}: key "issuer" must be an https URL (http only on 127.0.0.1), got ${JSON.stringify(issuer)}.`,
    );
  }
  const browser = provider.values.get('browser');
  if (browser !== undefined && !browser.includes('{}')) {
    throw new InputError(
      `${at('browser')}: key "browser" must contain {} where the URL goes, got ${JSON.stringify(browser)}.`,
    );
  }
}

/**
 * Reads the providers file. A file that holds a client secret must be readable by its owner only, as ~/.ssh keys
 * must: the secret is as good as the person's sign-in for any app that trusts this client.
 */
export function readProvidersFile(path: string, from: string): ProvidersFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `The providers file ${path} does not exist (${from === 'default' ? 'default location' : `from ${from}`}).`
        : `Cannot read the providers file ${path}: ${code ?? (error as Error).message}.`,
      'Create it with a [provider NAME] section (issuer, client-id, role-to-assume, aws-region), or point --config / KEYLESS_AWS_CONFIG at it.',
    );
  }
  const file = parseProvidersFile(path, text);
  const withSecret = [...file.providers.values()].find((p) => p.values.has('client-secret'));
  if (withSecret && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new InputError(
      `${withSecret.where.get('client-secret')}: the providers file holds a client secret but others can read it.`,
      `Run: chmod 600 ${path}`,
    );
  }
  return file;
}

export function providerNamed(file: ProvidersFile, name: string): ProviderConfig {
  const provider = file.providers.get(name);
  if (provider) return provider;
  const names = [...file.providers.keys()];
  throw new InputError(
    `No [provider ${name}] in ${file.path}.`,
    names.length > 0 ? `Providers there: ${names.join(', ')}.` : 'Add a [provider NAME] section.',
  );
}
