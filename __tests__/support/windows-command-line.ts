/**
 * The two ways a Windows SDK reads a credential_process line, emulated from their documentation so the quoting can be
 * checked on any machine: cmd.exe (what `child_process.exec`, Go's and Java's process providers start) and the
 * C runtime's argument splitting (what node.exe applies to the command line it is given). botocore's own splitter is
 * run for real (see botocoreWindowsSplit).
 */
import { execFileSync } from 'node:child_process';

/**
 * cmd.exe on a command line (`cmd /d /s /c "line"`, as Node's exec on Windows builds it): phase 1 expands `%NAME%`
 * when NAME is defined and leaves it as written when not (command-line mode, unlike a batch file); phase 2 tracks
 * double quotes, and outside them `^` escapes the next character (the caret is removed) while `&|<>` are operators.
 * Returns the command line the started program receives; throws where cmd would split or redirect.
 */
export function cmdExeCommandLine(line: string, env: Readonly<Record<string, string>>): string {
  let expanded = '';
  for (let i = 0; i < line.length; i++) {
    const close = line[i] === '%' ? line.indexOf('%', i + 1) : -1;
    const name = close > i ? line.slice(i + 1, close) : undefined;
    const value =
      name !== undefined ? Object.entries(env).find(([k]) => k.toUpperCase() === name.toUpperCase()) : undefined;
    if (value) {
      expanded += value[1];
      i = close;
    } else expanded += line[i];
  }
  let out = '';
  let quoted = false;
  for (let i = 0; i < expanded.length; i++) {
    const char = expanded[i] as string;
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '^') {
      out += expanded[++i] ?? '';
      continue;
    } else if (!quoted && /[&|<>]/.test(char))
      throw new Error(`cmd.exe reads "${char}" at ${i} as an operator: ${line}`);
    out += char;
  }
  return out;
}

/**
 * The Microsoft C runtime's rules for splitting a command line into argv (docs: "Parsing C++ command-line arguments"):
 * space and tab separate outside quotes; 2n backslashes before `"` give n and the quote toggles, 2n+1 give n and a
 * literal quote; other backslashes are literal; inside quotes `""` is one literal quote (the rule since VS 2008).
 */
export function msvcrtSplit(line: string): string[] {
  const args: string[] = [];
  let current: string | undefined;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (char === '\\') {
      let n = 0;
      while (line[i + n] === '\\') n++;
      const beforeQuote = line[i + n] === '"';
      current = (current ?? '') + '\\'.repeat(beforeQuote ? Math.floor(n / 2) : n);
      if (beforeQuote && n % 2 === 1) {
        current += '"';
        i += n;
      } else i += n - 1;
      continue;
    }
    if (char === '"') {
      if (quoted && line[i + 1] === '"') {
        current = `${current ?? ''}"`;
        i++;
        continue;
      }
      quoted = !quoted;
      current ??= '';
      continue;
    }
    if (!quoted && (char === ' ' || char === '\t')) {
      if (current !== undefined) args.push(current);
      current = undefined;
      continue;
    }
    current = (current ?? '') + char;
  }
  if (current !== undefined) args.push(current);
  return args;
}

/** botocore's `_windows_shell_split`, from the AWS CLI installed here (Debian vendors botocore inside awscli). */
export function botocoreWindowsSplit(line: string): string[] {
  const script = [
    'import json, sys',
    'try:',
    '    from awscli.botocore.compat import _windows_shell_split',
    'except ImportError:',
    '    from botocore.compat import _windows_shell_split',
    'print(json.dumps(_windows_shell_split(sys.argv[1])))',
  ].join('\n');
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, line], { encoding: 'utf8', stdio: 'pipe' }));
  } catch (error) {
    throw new Error(
      `botocore's _windows_shell_split could not be run with /usr/bin/python3 (${(error as Error).message.split('\n')[0]}). ` +
        'It comes with the AWS CLI: `apt-get install -y awscli` (bash .ci/run does).',
    );
  }
}
