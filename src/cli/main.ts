/** The command-line interface (Jenkins `sh` steps and other shells). */
export async function runCli(argv: readonly string[], _env: NodeJS.ProcessEnv): Promise<number> {
  process.stderr.write(`keyless-aws: the command line interface is not built yet (${argv.join(' ')}).\n`);
  return 2;
}
