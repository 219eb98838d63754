// Parses a CloudFormation template (YAML with the short-form intrinsic tags, or JSON) into its JSON long form, and
// keeps YAML positions so that loader errors can name the line of the resource or property at fault.
import { extname } from 'node:path';
import YAML, {
  type CollectionTag,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { EmulatorConfigError } from './errors';

export interface ParsedTemplate {
  template: Record<string, unknown>;
  /** 1-based line where the key at `path` (or its nearest declared ancestor) is written. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Select',
  'Split',
  'Join',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'Base64',
  'Cidr',
  'FindInMap',
  'ImportValue',
  'GetAZs',
  'Length',
  'ToJsonString',
  'Transform',
];

function intrinsicKey(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

// Each short-form tag may tag a scalar, a sequence or a mapping; all become the long JSON form.
const CLOUDFORMATION_TAGS: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((name) => {
  const key = intrinsicKey(name);
  const scalar: ScalarTag = {
    tag: `!${name}`,
    resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }),
  };
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag: `!${name}`,
    collection: kind,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: value.toJSON() }),
  });
  return [scalar, collection('seq'), collection('map')];
});

/** Offset of the deepest key (or item) along `path` that exists in the YAML tree: where the thing is declared. */
function keyOffset(root: unknown, path: ReadonlyArray<string | number>): number | undefined {
  let node = root;
  let offset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

export function parseTemplate(text: string, fileName: string): ParsedTemplate {
  let parsed: unknown;
  let lineOf: ParsedTemplate['lineOf'] = () => undefined;
  try {
    if (extname(fileName).toLowerCase() === '.json') {
      parsed = JSON.parse(text);
      // JSON is YAML's flow syntax: positions come from a YAML parse made only when an error needs a line.
      lineOf = (path) => {
        const lineCounter = new LineCounter();
        const offset = keyOffset(YAML.parseDocument(text, { lineCounter }).contents, path);
        return offset === undefined ? undefined : lineCounter.linePos(offset).line;
      };
    } else {
      const lineCounter = new LineCounter();
      const doc = YAML.parseDocument(text, { customTags: CLOUDFORMATION_TAGS, lineCounter });
      if (doc.errors.length > 0) throw doc.errors[0];
      parsed = doc.toJS();
      lineOf = (path) => {
        const offset = keyOffset(doc.contents, path);
        return offset === undefined ? undefined : lineCounter.linePos(offset).line;
      };
    }
  } catch (error) {
    throw new EmulatorConfigError(`${fileName}: cannot parse template: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EmulatorConfigError(`${fileName}: a template must be a mapping`);
  }
  return { template: parsed as Record<string, unknown>, lineOf };
}

export function parseTemplateText(text: string, fileName: string): Record<string, unknown> {
  return parseTemplate(text, fileName).template;
}
