// Command-line arguments of `node dist/emulator/index.js`.
import { EmulatorConfigError } from './errors';

export interface EmulatorArgs {
  templates: string[];
  parameters: Record<string, string>;
  /** Template path (as given to --template) → its own parameter overrides. */
  templateParameters: Record<string, Record<string, string>>;
  /** Template path (as given to --template) → the account it is deployed to. */
  templateAccounts: Record<string, string>;
  /** Production issuer URL → loopback URL serving its discovery document and JWKS. */
  issuers: Record<string, string>;
  config?: string;
  host: string;
  port: number;
  accountId?: string;
  region?: string;
  help: boolean;
}

export const USAGE = `Usage: node dist/emulator/index.js [options]

Local AWS STS + Cognito Identity + IAM emulator (one endpoint for all three).

Options:
  --template <file>        CloudFormation template (YAML or JSON) to load; repeatable
  --parameter <Key=Value>  template parameter override, applied to every template declaring it; repeatable
  --parameter <file>:<Key=Value>
                           override for the one template given as --template <file>; repeatable
  --template-account <file>=<12 digits>
                           deploy the template given as --template <file> to this account instead of --account-id
                           (its objects, ARNs and AWS::AccountId are of that account); repeatable
  --issuer <iss>=<url>     verify tokens whose iss is <iss> (the production issuer URL a provider names, e.g.
                           https://token.actions.githubusercontent.com) with the discovery document and JWKS
                           served at <url> (loopback only); repeatable
  --config <file>          JSON config declaring providers, roles, identity pools and access keys
  --host <address>         address to bind (default 127.0.0.1)
  --port <n>               port to bind (default 0: any free port)
  --account-id <12 digits> account of the emulated objects (default 123456789012); JSON config objects may name
                           their own accountId, templates theirs with --template-account
  --region <region>        region for identity pool ids (default us-east-1)
  --help                   show this help

Prints the endpoint URL on the first stdout line and a JSON object of logical id → physical id on the second.
Logs one line per request to stderr. Stops on SIGTERM/SIGINT.`;

export function parseArgs(argv: string[]): EmulatorArgs {
  const args: EmulatorArgs = {
    templates: [],
    parameters: {},
    templateParameters: {},
    templateAccounts: {},
    issuers: {},
    host: '127.0.0.1',
    port: 0,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new EmulatorConfigError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--template':
        args.templates.push(value());
        break;
      case '--parameter':
        addParameter(args, value());
        break;
      case '--template-account':
        addTemplateAccount(args, value());
        break;
      case '--issuer': {
        const mapping = value();
        const at = mapping.indexOf('=');
        if (at <= 0) {
          throw new EmulatorConfigError(
            `--issuer expects <production issuer URL>=<loopback URL>, e.g. https://token.actions.githubusercontent.com=http://127.0.0.1:8080, got '${mapping}'`,
          );
        }
        args.issuers[mapping.slice(0, at)] = mapping.slice(at + 1);
        break;
      }
      case '--config':
        args.config = value();
        break;
      case '--host':
        args.host = value();
        break;
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new EmulatorConfigError('--port must be 0-65535');
        args.port = port;
        break;
      }
      case '--account-id':
        args.accountId = value();
        break;
      case '--region':
        args.region = value();
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new EmulatorConfigError(`unknown argument '${raw}' (see --help)`);
    }
  }
  return args;
}

/** `<template>=<account id>`; the last `=` separates them (an account id has none, a path may). */
function addTemplateAccount(args: EmulatorArgs, text: string): void {
  const eq = text.lastIndexOf('=');
  const account = text.slice(eq + 1);
  if (eq <= 0 || !/^\d{12}$/.test(account)) {
    throw new EmulatorConfigError(
      `--template-account expects <template>=<12-digit account id>, e.g. stacks/target.yaml=210987654321, got '${text}'`,
    );
  }
  args.templateAccounts[text.slice(0, eq)] = account;
}

/**
 * `Key=Value` for every template declaring Key, or `<template>:Key=Value` for one template. Parameter names are
 * alphanumeric, so the last `:` before the `=` separates the template path (which may itself contain `:`).
 */
function addParameter(args: EmulatorArgs, text: string): void {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new EmulatorConfigError(`--parameter expects Key=Value or <template>:Key=Value, got '${text}'`);
  const key = text.slice(0, eq);
  const colon = key.lastIndexOf(':');
  const name = key.slice(colon + 1);
  if (!/^[A-Za-z0-9]+$/.test(name)) {
    throw new EmulatorConfigError(`--parameter '${text}': parameter names are alphanumeric (got '${name}')`);
  }
  if (colon < 0) {
    args.parameters[name] = text.slice(eq + 1);
    return;
  }
  const template = key.slice(0, colon);
  args.templateParameters[template] = { ...args.templateParameters[template], [name]: text.slice(eq + 1) };
}
