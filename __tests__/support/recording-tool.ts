/**
 * A stand-in placed before a keychain tool: it appends its argv and stdin to a JSON-lines log, then either runs the
 * real tool with the same argv and stdin (`real`) or a stand-in script (`emulate`, for tools this machine lacks).
 * Tests read the log to see exactly what our code handed the tool.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ToolCall {
  readonly argv: string[];
  readonly stdin: string;
}

export function recordingTool(dir: string, name: string, target: { real: string } | { emulate: string }): string {
  const path = join(dir, name);
  const log = join(dir, `${name}.calls.jsonl`);
  const run =
    'real' in target
      ? `const r = spawnSync(${JSON.stringify(target.real)}, argv, { input: stdin, stdio: ['pipe', 'inherit', 'inherit'] }); process.exit(r.status ?? 1);`
      : `require(${JSON.stringify(target.emulate)})(argv, stdin);`;
  writeFileSync(
    path,
    `#!${process.execPath}
const { appendFileSync, readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const argv = process.argv.slice(2);
const stdin = readFileSync(0, 'utf8');
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv, stdin }) + '\\n');
${run}
`,
  );
  chmodSync(path, 0o755);
  return path;
}

export function toolCalls(dir: string, name: string): ToolCall[] {
  const log = join(dir, `${name}.calls.jsonl`);
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ToolCall);
}
