/**
 * The files under examples/ as a user copies them, sorted by what they are:
 *
 *   exampleFiles()                 // every file, relative to examples/ ('github-oidc.yml', 'jenkins/Jenkinsfile', …)
 *   cloudFormationTemplates()      // those with AWSTemplateFormatVersion (or AWS:: resources)
 *   githubWorkflows()              // those with `on:` and `jobs:`
 *   readExample('github-oidc.yml') // text;  parseExample(...) // parsed, CloudFormation short forms as long forms
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { parseTemplateText } from '../../../src/emulator/cloudformation';
import { ROOT } from '../../support/run-dist';

export const EXAMPLES = join(ROOT, 'examples');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export function exampleFiles(): string[] {
  return walk(EXAMPLES)
    .map((path) => relative(EXAMPLES, path))
    .sort();
}

export function readExample(file: string): string {
  return readFileSync(join(EXAMPLES, file), 'utf8');
}

/** A template's YAML/JSON with `!Ref`, `!Sub`, … as `{ Ref }`, `{ 'Fn::Sub' }` (the emulator's own parser). */
export function parseExample(file: string): Record<string, unknown> {
  return parseTemplateText(readExample(file), file);
}

const isYaml = (file: string) => /\.(ya?ml|json)$/.test(file);

export function cloudFormationTemplates(): string[] {
  return exampleFiles().filter((file) => isYaml(file) && 'AWSTemplateFormatVersion' in parseExample(file));
}

export function githubWorkflows(): string[] {
  return exampleFiles().filter((file) => {
    if (!isYaml(file)) return false;
    const doc = YAML.parse(readExample(file), { logLevel: 'silent' }) as Record<string, unknown> | null;
    return doc !== null && typeof doc === 'object' && 'jobs' in doc && 'on' in doc;
  });
}
