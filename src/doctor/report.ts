// The doctor's three outputs: text for people (colour only on a TTY), JSON for scripts, SARIF 2.1.0 for GitHub code
// scanning (one result per lint finding, located in the template; denied verdicts for an asked role as well).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeCondition } from '../policy';
import type { Finding } from './lint';
import { RULES } from './lint-rules';
import type { RoleVerdict } from './verdict';

export interface DoctorResult {
  tokenOrigin?: string;
  claims?: Record<string, unknown>;
  unknownClaimKeys: string[];
  verdicts: RoleVerdict[];
  findings: Finding[];
  locations: Map<string, { file: string; line?: number }>;
}

const COLOURS = { red: 31, green: 32, yellow: 33, dim: 2 } as const;

function painter(colour: boolean) {
  return (name: keyof typeof COLOURS, text: string) => (colour ? `\u001b[${COLOURS[name]}m${text}\u001b[0m` : text);
}

function where(file: string | undefined, line: number | undefined, fallback: string): string {
  if (!file) return fallback;
  return line === undefined ? file : `${file}:${line}`;
}

function verdictLines(v: RoleVerdict, result: DoctorResult, paint: ReturnType<typeof painter>): string[] {
  const at = result.locations.get(v.roleArn);
  const head = `${v.allowed ? paint('green', 'ALLOWED') : paint('red', 'DENIED ')} ${v.roleArn}${at ? paint('dim', ` (${where(at.file, at.line, '')})`) : ''}`;
  if (v.allowed) return [head, `    ${v.reason}`];
  const lines = [head, `    ${v.stage}: ${v.reason}`];
  if (v.condition) lines.push(`    ${describeCondition(v.condition)}`);
  if (v.fix) lines.push(`    fix: ${v.fix}`);
  return lines;
}

export function formatText(result: DoctorResult, colour: boolean): string {
  const paint = painter(colour);
  const lines: string[] = [];
  if (result.tokenOrigin) lines.push(`Token context: ${result.tokenOrigin} (sub ${String(result.claims?.sub)})`);
  for (const u of result.unknownClaimKeys) lines.push(`${paint('yellow', 'warning')}: ${u}`);
  if (result.verdicts.length > 0) {
    const allowed = result.verdicts.filter((v) => v.allowed).length;
    lines.push(`Roles this token can assume: ${allowed} of ${result.verdicts.length}`);
    const ordered = [...result.verdicts].sort((a, b) => Number(b.allowed) - Number(a.allowed));
    for (const v of ordered) lines.push(...verdictLines(v, result, paint));
  }
  if (result.findings.length > 0) lines.push(`Lint findings: ${result.findings.length}`);
  for (const f of result.findings) {
    const colourOf = f.severity === 'error' ? 'red' : f.severity === 'warning' ? 'yellow' : 'dim';
    lines.push(
      `${where(f.file, f.line, f.roleArn)}: ${paint(colourOf, f.severity)} [${f.rule}] ${f.message}`,
      `    fix: ${f.fix}`,
    );
  }
  if (result.findings.length === 0 && result.verdicts.length === 0)
    lines.push('No roles to judge and no lint findings.');
  return `${lines.join('\n')}\n`;
}

export function formatJson(result: DoctorResult): string {
  const verdicts = result.verdicts.map((v) => ({ ...v, ...(result.locations.get(v.roleArn) ?? {}) }));
  return `${JSON.stringify(
    {
      ...(result.tokenOrigin
        ? { token: { origin: result.tokenOrigin, claims: result.claims, unknownClaimKeys: result.unknownClaimKeys } }
        : {}),
      verdicts,
      findings: result.findings,
    },
    null,
    2,
  )}\n`;
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', note: 'note' } as const;

/** Code scanning matches repository-relative paths; a file outside the working directory gets a file: URI. */
function artifactUri(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  return pathToFileURL(resolve(file)).href;
}

function sarifLocation(file: string | undefined, line: number | undefined, roleArn: string) {
  if (!file) return { logicalLocations: [{ fullyQualifiedName: roleArn, kind: 'resource' }] };
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(file) },
      region: { startLine: line ?? 1 },
    },
    logicalLocations: [{ fullyQualifiedName: roleArn, kind: 'resource' }],
  };
}

export function formatSarif(result: DoctorResult, version: string): string {
  const denied = result.verdicts.filter((v) => !v.allowed);
  const rules = [
    ...RULES.map((r) => ({
      id: r.id,
      shortDescription: { text: r.summary },
      defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
    })),
    {
      id: 'role-denied',
      shortDescription: { text: 'The token context cannot assume the role.' },
      defaultConfiguration: { level: 'error' },
    },
  ];
  const results = [
    ...result.findings.map((f) => ({
      ruleId: f.rule,
      level: SARIF_LEVEL[f.severity],
      message: { text: `${f.message}. Fix: ${f.fix}` },
      locations: [sarifLocation(f.file, f.line, f.roleArn)],
    })),
    ...denied.map((v) => {
      const at = result.locations.get(v.roleArn);
      return {
        ruleId: 'role-denied',
        level: 'error',
        message: { text: `${v.reason}${v.fix ? `. Fix: ${v.fix}` : ''}` },
        locations: [sarifLocation(at?.file, at?.line, v.roleArn)],
      };
    }),
  ];
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'keyless-aws doctor',
            version,
            informationUri: 'https://github.com/keyless-aws/keyless-aws#doctor',
            rules,
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
