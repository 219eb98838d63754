/**
 * Command line of `node dist/issuer/index.js`: commands, flags, the JSON config file and help text. It only
 * converts text into typed options; ranges and formats are checked by resolveIssuerOptions (config.ts), so the
 * command line and `startIssuer()` agree on every rule.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type IssuerOptions, validatePublicUrl } from './config';
import { ConfigError } from './errors';

export const DEFAULT_CLI_PORT = 8080;

export type CliCommand =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'serve'; readonly options: IssuerOptions }
  | { readonly kind: 'rotate-keys'; readonly keysDir: string; readonly activateDelaySeconds: number | undefined }
  | {
      readonly kind: 'export-discovery';
      readonly issuerUrl: string;
      readonly keysDir: string;
      readonly outDir: string;
    };

type FlagKind = 'string' | 'path' | 'integer' | 'number' | 'list';

/** Flags of `serve` (all but `config` may also appear in the JSON config file, under the same name). */
const SERVE_FLAGS: Readonly<Record<string, FlagKind>> = {
  config: 'path',
  'issuer-url': 'string',
  'token-url': 'string',
  host: 'string',
  port: 'integer',
  'keys-dir': 'path',
  audience: 'list',
  'allow-claim': 'list',
  'admin-secret-file': 'path',
  'token-ttl': 'integer',
  'request-token-ttl': 'integer',
  'rate-limit': 'number',
  'trust-proxy': 'list',
  'tls-cert': 'path',
  'tls-key': 'path',
};
const ROTATE_FLAGS: Readonly<Record<string, FlagKind>> = { 'keys-dir': 'path', 'activate-delay': 'integer' };
const EXPORT_FLAGS: Readonly<Record<string, FlagKind>> = { 'issuer-url': 'string', 'keys-dir': 'path', out: 'path' };

type FlagValues = Map<string, string | number | string[]>;

export const GENERAL_HELP = `Usage: node dist/issuer/index.js <command> [flags]

OIDC token service for Jenkins builds: the controller registers a build, the build exchanges its request token
for short-lived RS256 ID tokens that AWS trusts through an IAM OIDC provider.

Commands:
  serve              run the token service
  rotate-keys        add a new signing key; keep old public keys until their tokens expire
  export-discovery   write the discovery document and JWKS for static hosting (S3/CDN)

Run "<command> --help" for its flags. Exit codes: 0 ok, 1 runtime failure, 2 bad flags or configuration.
`;

const SERVE_HELP = `Usage: node dist/issuer/index.js serve [flags]

Prints one line on stdout, the URL it listens on; logs JSON lines on stderr. SIGTERM/SIGINT stop it (exit 0),
SIGHUP reloads the key directory and TLS files (also re-read every 60 s).

  --issuer-url URL         public URL, the tokens' "iss" (https, may have a path, no trailing slash)  [required]
  --keys-dir DIR           signing keys + request-token secret; created (0700) on first start        [required]
  --admin-secret-file F    file holding the secret the Jenkins controller sends (Bearer)             [required]
  --audience AUD           allowed audience, repeatable (default sts.amazonaws.com); the first is the default
  --allow-claim NAME       claim a registration may carry besides job, build_number, build_url, branch, commit,
                           node, triggered_by; repeatable; "sub" lets the controller set sub itself (default: none)
  --host ADDR              address to bind (default 127.0.0.1)
  --port N                 port (default ${DEFAULT_CLI_PORT}; 0 = any free port)
  --token-ttl S            ID-token lifetime in seconds, 60-3600 (default 300)
  --request-token-ttl S    default and maximum request-token lifetime, 60-604800 (default 21600)
  --rate-limit N           /token requests per second per request token, burst 2N; 0 = off (default 10)
  --token-url URL          token endpoint given to builds, if not <issuer-url>/token
  --trust-proxy CIDR,…     reverse proxies (addresses or CIDR ranges, repeatable) whose X-Forwarded-For names the
                           client for the admin-failure throttle; default none (the socket peer is the client)
  --tls-cert F, --tls-key F  serve HTTPS with this PEM certificate chain and key
  --config FILE            JSON object with any of the flags above as keys, e.g.
                           {"issuer-url": "https://oidc.example.com", "audience": ["sts.amazonaws.com"]};
                           relative paths are relative to the file; flags on the command line win
`;

const ROTATE_HELP = `Usage: node dist/issuer/index.js rotate-keys --keys-dir DIR [--activate-delay S]

Adds a new signing key. It is published in the JWKS at once (running instances re-read the directory within 60 s,
or at once on SIGHUP) and signs from activatesAt on: after --activate-delay, and never before a key added by an
earlier rotation. The previous key stops signing then and stays in the JWKS until every token it signed has
expired (activatesAt + 120 s propagation + 3600 s maximum token ttl + 300 s clock skew); expired keys are pruned.
Prints a JSON summary on stdout.

  --keys-dir DIR        the key directory shared by the instances                                  [required]
  --activate-delay S    seconds before the new key signs, at least and by default 420 (120 s for every
                        instance to publish it + 300 s for cached copies of the JWKS to expire); when the
                        JWKS is hosted statically, add the time to re-export and upload it
`;

const EXPORT_HELP = `Usage: node dist/issuer/index.js export-discovery --issuer-url URL --keys-dir DIR --out DIR

Writes OUT/.well-known/openid-configuration and OUT/.well-known/jwks. Upload OUT so that it maps to the issuer URL
(Content-Type application/json). Re-run after every rotate-keys.
`;

export function parseCommandLine(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    if (command === undefined) throw new ConfigError(undefined, `A command is required.\n\n${GENERAL_HELP}`);
    return { kind: 'help', text: GENERAL_HELP };
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'serve':
      return wantsHelp ? { kind: 'help', text: SERVE_HELP } : { kind: 'serve', options: serveOptions(rest) };
    case 'rotate-keys': {
      if (wantsHelp) return { kind: 'help', text: ROTATE_HELP };
      const flags = parseFlags('rotate-keys', rest, ROTATE_FLAGS);
      const delay = flags.get('activate-delay') as number | undefined;
      if (delay !== undefined && delay > 7 * 24 * 3600)
        throw new ConfigError('activate-delay', 'must be at most 604800 seconds (a week).');
      return { kind: 'rotate-keys', keysDir: required(flags, 'keys-dir', 'rotate-keys'), activateDelaySeconds: delay };
    }
    case 'export-discovery': {
      if (wantsHelp) return { kind: 'help', text: EXPORT_HELP };
      const flags = parseFlags('export-discovery', rest, EXPORT_FLAGS);
      return {
        kind: 'export-discovery',
        issuerUrl: validatePublicUrl('issuer-url', required(flags, 'issuer-url', 'export-discovery')),
        keysDir: required(flags, 'keys-dir', 'export-discovery'),
        outDir: required(flags, 'out', 'export-discovery'),
      };
    }
    default:
      throw new ConfigError(undefined, `Unknown command "${command}"; use serve, rotate-keys or export-discovery.`);
  }
}

function serveOptions(argv: readonly string[]): IssuerOptions {
  const flags = parseFlags('serve', argv, SERVE_FLAGS);
  const configFile = flags.get('config') as string | undefined;
  const merged: FlagValues = configFile ? readConfigFile(configFile) : new Map();
  for (const [name, value] of flags) if (name !== 'config') merged.set(name, value); // flags win

  const get = <T>(name: string): T | undefined => merged.get(name) as T | undefined;
  required(merged, 'issuer-url', 'serve');
  return {
    issuerUrl: get<string>('issuer-url'),
    tokenUrl: get<string>('token-url'),
    host: get<string>('host'),
    port: get<number>('port') ?? DEFAULT_CLI_PORT,
    keysDir: required(merged, 'keys-dir', 'serve'),
    audiences: get<string[]>('audience'),
    allowedClaims: get<string[]>('allow-claim'),
    adminSecretFile: required(merged, 'admin-secret-file', 'serve'),
    tokenTtlSeconds: get<number>('token-ttl'),
    requestTokenTtlSeconds: get<number>('request-token-ttl'),
    rateLimitPerSecond: get<number>('rate-limit'),
    trustProxy: get<string[]>('trust-proxy'),
    tlsCertFile: get<string>('tls-cert'),
    tlsKeyFile: get<string>('tls-key'),
  };
}

function required(flags: FlagValues, name: string, command: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(name, `is required for ${command} (see "${command} --help").`);
  }
  return value;
}

/** Accepts `--flag value` and `--flag=value`; a repeated flag is an error unless it is a list. */
function parseFlags(command: string, argv: readonly string[], specs: Readonly<Record<string, FlagKind>>): FlagValues {
  const values: FlagValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      throw new ConfigError(undefined, `Unexpected argument "${arg}" for ${command}; flags look like --name value.`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = specs[name];
    if (kind === undefined) {
      throw new ConfigError(undefined, `Unknown flag --${name} for ${command}; run "${command} --help" for the list.`);
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || raw.startsWith('--')) throw new ConfigError(name, 'needs a value.');
      i++;
    }
    if (values.has(name) && kind !== 'list') throw new ConfigError(name, 'is given more than once.');
    const value = convert(name, kind, raw, process.cwd());
    const previous = values.get(name);
    values.set(name, kind === 'list' ? [...((previous as string[] | undefined) ?? []), ...(value as string[])] : value);
  }
  return values;
}

function convert(name: string, kind: FlagKind, raw: string, baseDir: string): string | number | string[] {
  switch (kind) {
    case 'string':
      return raw;
    case 'path':
      if (raw === '') throw new ConfigError(name, 'needs a path.');
      return resolve(baseDir, raw);
    case 'list':
      return [raw];
    case 'integer':
      if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number (got "${raw}").`);
      return Number(raw);
    case 'number':
      if (!/^\d+(\.\d+)?$/.test(raw))
        throw new ConfigError(name, `must be a number >= 0 (got "${raw}"), e.g. 10; 0 turns it off.`);
      return Number(raw);
  }
}

/** The JSON config file: an object whose keys are serve flag names; values of the matching JSON types. */
function readConfigFile(file: string): FlagValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code})`;
    throw new ConfigError('config', `${file} ${reason}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('config', `${file} must hold a JSON object such as {"issuer-url": "https://…"}.`);
  }
  const values: FlagValues = new Map();
  const baseDir = dirname(resolve(file));
  for (const [name, value] of Object.entries(parsed)) {
    const kind = name === 'config' ? undefined : SERVE_FLAGS[name];
    if (kind === undefined) {
      throw new ConfigError(
        'config',
        `unknown key "${name}" in ${file}; keys are the serve flag names, e.g. "issuer-url".`,
      );
    }
    const where = `"${name}" in ${file}`;
    if (kind === 'list') {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
        throw new ConfigError('config', `${where} must be a string or an array of strings.`);
      }
      values.set(name, list as string[]);
    } else if (kind === 'integer' || kind === 'number') {
      if (typeof value !== 'number') throw new ConfigError('config', `${where} must be a JSON number.`);
      values.set(name, value);
    } else {
      if (typeof value !== 'string') throw new ConfigError('config', `${where} must be a string.`);
      values.set(name, convert(name, kind, value, baseDir));
    }
  }
  return values;
}
