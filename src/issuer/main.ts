/**
 * Entry point of dist/issuer/index.js: parse the command line, run the command, map errors to exit codes
 * (2 = bad flags or configuration, 1 = anything else). All logic lives in the modules it wires together.
 */
import { parseCommandLine } from './cli';
import { exportDiscovery } from './discovery';
import { startIssuer } from './issuer';
import { rotateKeys } from './keys';
import { createLogger } from './log';

async function main(argv: readonly string[]): Promise<void> {
  const command = parseCommandLine(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(command.text);
      return;
    case 'rotate-keys':
      process.stdout.write(`${JSON.stringify(await rotateKeys(command.keysDir, command))}\n`);
      return;
    case 'export-discovery':
      for (const file of await exportDiscovery(command)) process.stdout.write(`${file}\n`);
      return;
    case 'serve': {
      const logger = createLogger();
      const issuer = await startIssuer({ ...command.options, logger });
      process.stdout.write(`${issuer.url}\n`);
      const stop = (signal: string): void => {
        logger.info('stopping', { signal });
        void issuer.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', () => void issuer.reload());
      return;
    }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const exitCode =
    typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as { exitCode: number }).exitCode : 1;
  process.stderr.write(`issuer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = exitCode;
});
