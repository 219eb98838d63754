import { InputError } from '../errors';

/** The ways `env` can print credential variables, each for a consumer with its own quoting rules. */
export const SHELL_FORMATS = ['export', 'dotenv', 'json', 'powershell'] as const;
export type ShellFormat = (typeof SHELL_FORMATS)[number];

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** POSIX sh: inside single quotes nothing is special, so the only thing to escape is the single quote itself. */
export function posixQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits a command line written by `commandLine` back into its arguments, by the rules of the platform it was
 * written for: POSIX single quotes (`'\''` for a quote), or the Windows C runtime's (double quotes, backslashes
 * special only before a quote). For reading our own credential_process lines back, not a general shell parser.
 */
export function splitCommandLine(line: string, platform: NodeJS.Platform): string[] {
  const args: string[] = [];
  let current: string | undefined;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (platform === 'win32' && char === '\\') {
      let end = i;
      while (line[end] === '\\') end++;
      const count = end - i;
      if (line[end] === '"') {
        current = (current ?? '') + '\\'.repeat(Math.floor(count / 2)) + (count % 2 === 1 ? '"' : '');
        i = count % 2 === 1 ? end : end - 1;
      } else {
        current = (current ?? '') + '\\'.repeat(count);
        i = end - 1;
      }
      continue;
    }
    const quote = platform === 'win32' ? '"' : "'";
    if (char === quote) {
      quoted = !quoted;
      current ??= '';
    } else if (quoted) current += char;
    else if (platform !== 'win32' && char === '\\' && i + 1 < line.length) current = (current ?? '') + line[++i];
    else if (/\s/.test(char)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else current = (current ?? '') + char;
  }
  if (current !== undefined) args.push(current);
  return args;
}

/**
 * PowerShell single-quoted strings: a quote is escaped by doubling it. PowerShell also treats the typographic
 * single quotes (U+2018, U+2019, U+201A, U+201B) as quote characters, so they are doubled too.
 */
export function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;
}

/**
 * One argument for a Windows command line as the C runtime (and botocore's `_windows_shell_split`) splits it: double
 * quotes around anything beyond plain characters, `\"` for a quote, backslashes doubled only where they precede one.
 * A `%` is set between closed quotes (`"%"`), so every `%...%` pair cmd.exe could expand names a variable that
 * contains a quote, which cmd leaves as written on a command line; the C runtime then drops the quotes again.
 */
export function windowsArgumentQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./\\=:,@+]+$/.test(value)) return value;
  let quoted = '"';
  let backslashes = 0;
  for (const char of value) {
    if (char === '\\') {
      backslashes++;
      continue;
    }
    if (char === '"') quoted += `${'\\'.repeat(backslashes * 2 + 1)}"`;
    else if (char === '%') quoted += `${'\\'.repeat(backslashes * 2)}"%"`;
    else quoted += `${'\\'.repeat(backslashes)}${char}`;
    backslashes = 0;
  }
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

/**
 * A Windows command line that means the same argv to both readers SDKs use: botocore splits it itself and starts the
 * program directly; the JavaScript (`exec`), Go, Java and Rust SDKs hand it to `cmd.exe /C`, which treats `&|<>^`
 * outside double quotes as operators. cmd.exe does not know `\"`, so an escaped quote flips its idea of what is
 * quoted: an operator that lands outside cmd's quotes that way cannot be written for both readers, and is refused.
 * The Go SDK passes the line as one argument of exec.Command("cmd.exe", "/C", line), and Go's escaping turns every
 * `"` into `\"`, which cmd.exe misreads: so plain arguments stay unquoted, and a runner's usual line has no quote.
 */
export function windowsCommandLine(argv: readonly string[]): string {
  const line = argv.map(windowsArgumentQuote).join(' ');
  let cmdQuoted = false;
  for (const char of line) {
    if (char === '"') cmdQuoted = !cmdQuoted;
    else if (!cmdQuoted && /[&|<>^]/.test(char)) {
      const arg = argv.find((a) => a.includes(char)) ?? char;
      throw new InputError(
        `The value "${arg}" cannot be written into a Windows credential_process line: cmd.exe would read its "${char}" as an operator.`,
        'Remove the character, or balance the double quotes before it.',
      );
    }
  }
  return line;
}

/**
 * `docker --env-file` takes everything after the first `=` literally (no quotes, no escapes) and Java properties
 * (Jenkins readProperties) treat a backslash as an escape: neither can carry a newline or a backslash faithfully.
 */
function dotenvValue(name: string, value: string): string {
  if (/[\r\n\\]/.test(value)) {
    throw new InputError(
      `${name} contains a newline or backslash, which the dotenv format cannot carry.`,
      'Use --format json or export.',
    );
  }
  return value;
}

/** Renders variables in one format. Output ends with a newline; names are checked so no format can be broken. */
export function formatVariables(variables: Readonly<Record<string, string>>, format: ShellFormat): string {
  const entries = Object.entries(variables);
  for (const [name] of entries) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`not a variable name: ${name}`);
  }
  switch (format) {
    case 'export':
      return entries.map(([name, value]) => `export ${name}=${posixQuote(value)}\n`).join('');
    case 'dotenv':
      return entries.map(([name, value]) => `${name}=${dotenvValue(name, value)}\n`).join('');
    case 'json':
      return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
    case 'powershell':
      return entries.map(([name, value]) => `$Env:${name} = ${powershellQuote(value)}\n`).join('');
  }
}
