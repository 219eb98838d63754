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
 * PowerShell single-quoted strings: a quote is escaped by doubling it. PowerShell also treats the typographic
 * single quotes (U+2018, U+2019, U+201A, U+201B) as quote characters, so they are doubled too.
 */
export function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;
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
