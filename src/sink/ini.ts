/**
 * Line-preserving edits of AWS shared config/credentials files: every section, comment and blank line we do not
 * touch is written back byte for byte, which a parse-and-serialise round trip would not do.
 */
const HEADER = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/;
const COMMENT_OR_BLANK = /^\s*(?:[#;].*)?$/;

interface SectionSpan {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/** A file written on Windows keeps its CRLF line endings: we rewrite the sections we own, not the file's style. */
function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function findSection(lines: readonly string[], name: string): SectionSpan | undefined {
  const start = lines.findIndex((line) => HEADER.exec(line)?.[1]?.trim() === name);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !HEADER.test(lines[end]!)) end++;
  return { start, end };
}

export function hasSection(text: string, name: string): boolean {
  return findSection(splitLines(text), name) !== undefined;
}

function keyLines(values: Readonly<Record<string, string>>): string[] {
  return Object.entries(values).map(([key, value]) => `${key} = ${value}`);
}

/** Sets a section to exactly `values`, keeping comments that were inside it; appends the section if missing. */
export function upsertSection(text: string, name: string, values: Readonly<Record<string, string>>): string {
  const lines = splitLines(text);
  const span = findSection(lines, name);
  if (span === undefined) {
    const out = [...lines];
    if (out.length > 0 && out[out.length - 1]!.trim() !== '') out.push('');
    out.push(`[${name}]`, ...keyLines(values));
    return `${out.join(lineEnding(text))}${lineEnding(text)}`;
  }
  const body = lines.slice(span.start + 1, span.end);
  const comments = body.filter((line) => COMMENT_OR_BLANK.test(line) && line.trim() !== '');
  const trailingBlank = body.length > 0 && body[body.length - 1]!.trim() === '' ? [''] : [];
  const replaced = [lines[span.start]!, ...comments, ...keyLines(values), ...trailingBlank];
  const out = [...lines.slice(0, span.start), ...replaced, ...lines.slice(span.end)];
  return `${out.join(lineEnding(text))}${lineEnding(text)}`;
}

/** Removes a section (header and keys); comments that followed it stay with whatever comes next. */
export function removeSection(text: string, name: string): string {
  const lines = splitLines(text);
  const span = findSection(lines, name);
  if (span === undefined) return text;
  const body = lines.slice(span.start + 1, span.end);
  const kept = body.filter((line) => COMMENT_OR_BLANK.test(line) && line.trim() !== '');
  const out = [...lines.slice(0, span.start), ...kept, ...lines.slice(span.end)];
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return out.length === 0 ? '' : `${out.join(lineEnding(text))}${lineEnding(text)}`;
}

/** The section's `key = value` pairs (keys lower-cased, comments and blank lines skipped), or undefined if absent. */
export function sectionValues(text: string, name: string): Map<string, string> | undefined {
  const lines = sectionLines(text, name);
  if (lines === undefined) return undefined;
  const values = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (COMMENT_OR_BLANK.test(line)) continue;
    const at = line.indexOf('=');
    const key = (at < 0 ? line : line.slice(0, at)).trim().toLowerCase();
    values.set(key, at < 0 ? '' : line.slice(at + 1).trim());
  }
  return values;
}

/** The section's lines as they are (header, keys, comments, trailing blanks), to put back later with restoreSection. */
export function sectionLines(text: string, name: string): string[] | undefined {
  const lines = splitLines(text);
  const span = findSection(lines, name);
  return span === undefined ? undefined : lines.slice(span.start, span.end);
}

/**
 * Undoes an upsertSection: puts back the lines sectionLines recorded (in the file's current line ending), or, when
 * the section did not exist before, removes it. Everything else in the file stays as it is now.
 */
export function restoreSection(text: string, name: string, original: readonly string[] | undefined): string {
  if (original === undefined) return removeSection(text, name);
  const lines = splitLines(text);
  const span = findSection(lines, name);
  const out =
    span === undefined
      ? [...lines, ...original]
      : [...lines.slice(0, span.start), ...original, ...lines.slice(span.end)];
  return `${out.join(lineEnding(text))}${lineEnding(text)}`;
}
