// CLI entry point: parse arguments, load config, start the emulator, print the endpoint and ids, stop on signals.
import { readFileSync } from 'node:fs';
import { parseArgs, USAGE } from './args';
import { type EmulatorConfig, parseEmulatorConfig } from './config';
import { EmulatorConfigError } from './errors';
import { startEmulator } from './index';
import { jsonSyntaxErrorPosition } from './json-syntax';

function readConfig(path: string): EmulatorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EmulatorConfigError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never JSON.parse's message: it quotes the text around the error, which may be part of a secretAccessKey.
    const at = jsonSyntaxErrorPosition(text);
    const where = at ? ` (syntax error at line ${at.line}, column ${at.column})` : '';
    throw new EmulatorConfigError(`config ${path} is not valid JSON${where}`);
  }
  return parseEmulatorConfig(parsed);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  for (const template of Object.keys(args.templateParameters)) {
    if (!args.templates.includes(template)) {
      throw new EmulatorConfigError(
        `--parameter ${template}:…: no --template ${template} (give the path exactly as in --template)`,
      );
    }
  }
  for (const template of Object.keys(args.templateAccounts)) {
    if (!args.templates.includes(template)) {
      throw new EmulatorConfigError(
        `--template-account ${template}=…: no --template ${template} (give the path exactly as in --template)`,
      );
    }
  }
  const emulator = await startEmulator({
    templates: args.templates.map((path) => ({
      path,
      parameters: args.templateParameters[path],
      accountId: args.templateAccounts[path],
    })),
    parameters: args.parameters,
    issuers: args.issuers,
    config: args.config ? readConfig(args.config) : undefined,
    host: args.host,
    port: args.port,
    accountId: args.accountId,
    region: args.region,
  });
  process.stdout.write(`${emulator.url}\n${JSON.stringify(emulator.ids)}\n`);
  const stop = (signal: string) => {
    process.stderr.write(`received ${signal}, stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof EmulatorConfigError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(error instanceof EmulatorConfigError ? 2 : 1);
});
