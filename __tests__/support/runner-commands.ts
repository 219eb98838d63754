/**
 * Reads output the way the GitHub Actions runner does (actions/runner ActionCommand.TryParseV2 / TryParse and
 * ActionCommandManager): one command per line, lines split at CR, LF or CRLF; `::name props::data` after leading
 * whitespace, or `##[name props]data` anywhere in the line; only registered command names count; `stop-commands`
 * pauses everything until its token comes back.
 *
 *   const commands = runnerCommands(run.stdout);   // [{ name: 'add-mask', data: '…', line: 3 }, …]
 */
export interface RunnerCommand {
  readonly name: string;
  readonly data: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly line: number;
}

/** The runner's command extensions, plus stop-commands. */
const REGISTERED = [
  'add-mask',
  'add-path',
  'set-env',
  'set-output',
  'save-state',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'echo',
  'add-matcher',
  'remove-matcher',
  'stop-commands',
];

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

function parseV2(line: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { name: name.toLowerCase(), data: unescapeData(message.slice(end + 2)), properties };
}

function parseV1(line: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const close = line.indexOf(']', prefix);
  if (close < 0) return undefined;
  const info = line.slice(prefix + 3, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  return { name: name.toLowerCase(), data: line.slice(close + 1), properties: {} };
}

export function runnerCommands(output: string): RunnerCommand[] {
  const registered = new Set(REGISTERED);
  const commands: RunnerCommand[] = [];
  let stopToken: string | undefined;
  output.split(/\r\n|\r|\n/).forEach((line, index) => {
    const parsed = parseV2(line, registered) ?? parseV1(line, registered);
    if (!parsed) return;
    if (stopToken !== undefined) {
      if (parsed.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = undefined;
        commands.push({ ...parsed, line: index + 1 });
      }
      return;
    }
    if (parsed.name === 'stop-commands') {
      stopToken = parsed.data;
      registered.add(parsed.data.toLowerCase());
    }
    commands.push({ ...parsed, line: index + 1 });
  });
  return commands;
}
