/**
 * The README is the contract: every in-page link lands on a heading, every relative link names a file of the
 * repository, and no two headings share an anchor (GitHub would number the second one, and links to it rot).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/run-dist';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The markdown outside fenced code blocks, line by line. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped (code spans keep their text), spaces to hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const headings = proseLines(readme)
  .map((line) => /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)?.[2])
  .filter((text): text is string => text !== undefined);
const anchors = headings.map(githubAnchor);
const links = proseLines(readme).flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? ''));

it('knows GitHub anchors', () => {
  expect(githubAnchor('Jenkins token service (`dist/issuer/index.js`)')).toBe(
    'jenkins-token-service-distissuerindexjs',
  );
  expect(githubAnchor('Command line: Jenkins, GitLab, a laptop')).toBe('command-line-jenkins-gitlab-a-laptop');
});

it('has no two headings with the same anchor', () => {
  const seen = new Map<string, string>();
  const duplicates = headings.filter((heading, i) => {
    const anchor = anchors[i] as string;
    if (seen.has(anchor)) return true;
    seen.set(anchor, heading);
    return false;
  });
  expect(duplicates).toEqual([]);
});

it('links only to headings that exist', () => {
  const broken = links.filter((link) => link.startsWith('#') && !anchors.includes(link.slice(1)));
  expect(broken).toEqual([]);
});

it('links only to files that exist', () => {
  const relative = links.filter((link) => !/^(#|[a-z]+:)/.test(link)).map((link) => link.split('#')[0] ?? '');
  expect(relative.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
});
