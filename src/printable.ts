/**
 * The one escaping layer for everything printed. The GitHub Actions runner reads stdout and stderr line by line and
 * executes any line that, after leading whitespace, starts with `::name::` (or holds `##[name]` anywhere, the older
 * form): a claim, role session name or server message holding a newline and `::add-mask::`, `::stop-commands::` or
 * `::set-env` would otherwise run as a command. Values from outside (token claims, server text, user input) become
 * one line with `oneLine`; every printed line then passes `inertLine`; workflow commands are built by
 * `workflowCommand` with the runner's own escaping.
 */

/** Line breaks the runner (and most terminals) honour, plus the other control characters, shown visibly. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

function visible(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A value from outside as one printable line: line breaks and other control characters become `\n`, `\u001b`, … */
export function oneLine(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.replace(CONTROL, visible);
}

/**
 * A plain output line the runner cannot take for a command: a leading `::` (after whitespace) and any `##[` are
 * percent-escaped, which the runner does not decode in plain output.
 */
export function inertLine(line: string): string {
  const safe = line.replace(/##\[/g, '##%5B');
  return /^\s*::/.test(safe) ? safe.replace(/::/, '%3A%3A') : safe;
}

/** Every line of a multi-line text made inert; line breaks stay line breaks. */
export function inertText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => inertLine(line))
    .join('\n');
}

/** JSON text made inert: `##[` inside a string becomes `##\u005b`, which every JSON parser reads back unchanged. */
export function inertJson(json: string): string {
  return json.replace(/##\[/g, '##\\u005b');
}

/** The runner's escaping of a command's message (`%`, CR, LF). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The runner's escaping of a command property value (also `:` and `,`, which separate properties). */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,…::message` with every part escaped: one runner line whatever the values hold. */
export function workflowCommand(
  name: string,
  message: string,
  properties: Readonly<Record<string, string>> = {},
): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
