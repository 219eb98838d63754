import { hasSection, removeSection, restoreSection, sectionLines, upsertSection } from '../../src/sink/ini';

const KEYS = { aws_access_key_id: 'ASIANEW', aws_secret_access_key: 'new-secret' };

describe('ini: line-preserving upsert and removal', () => {
  it('appends a new section after a blank line, leaving every other byte alone', () => {
    const text = '# top comment\n[other]\n; inside\naws_access_key_id = AKIAOTHER\n';
    expect(upsertSection(text, 'ci', KEYS)).toBe(
      `${text}\n[ci]\naws_access_key_id = ASIANEW\naws_secret_access_key = new-secret\n`,
    );
  });

  it('creates the file content from nothing', () => {
    expect(upsertSection('', 'ci', { region: 'us-east-1' })).toBe('[ci]\nregion = us-east-1\n');
  });

  it('replaces the keys of an existing section, keeping its comments and the sections around it', () => {
    const text = '[a]\nx = 1\n\n[ci]\n# my note\naws_access_key_id = OLD\nstale = yes\n\n[b]\ny = 2\n';
    expect(upsertSection(text, 'ci', KEYS)).toBe(
      '[a]\nx = 1\n\n[ci]\n# my note\naws_access_key_id = ASIANEW\naws_secret_access_key = new-secret\n\n[b]\ny = 2\n',
    );
  });

  it('keeps CRLF line endings', () => {
    const text = '[other]\r\nx = 1\r\n';
    const written = upsertSection(text, 'ci', { region: 'eu-west-1' });
    expect(written).toBe('[other]\r\nx = 1\r\n\r\n[ci]\r\nregion = eu-west-1\r\n');
    expect(removeSection(written, 'ci')).toBe(text);
  });

  it('tells [default] from [profile default] and matches headers with spaces and trailing comments', () => {
    const text = '[ default ]\nregion = a\n[profile ci] ; written by CI\nregion = b\n';
    expect(hasSection(text, 'default')).toBe(true);
    expect(hasSection(text, 'profile ci')).toBe(true);
    expect(hasSection(text, 'ci')).toBe(false);
    expect(hasSection(text, 'profile default')).toBe(false);
  });

  it('removal undoes an append exactly', () => {
    const text = '# keep\n[other]\nx = 1\n';
    expect(removeSection(upsertSection(text, 'ci', KEYS), 'ci')).toBe(text);
  });

  it('removal keeps the comments that were inside the section and everything after it', () => {
    const text = '[ci]\n# note\nkey = v\n[next]\nz = 3\n';
    expect(removeSection(text, 'ci')).toBe('# note\n[next]\nz = 3\n');
  });

  it('removing the only section leaves an empty file; a missing section changes nothing', () => {
    expect(removeSection('[ci]\nk = v\n', 'ci')).toBe('');
    expect(removeSection('[a]\nk = v\n', 'ci')).toBe('[a]\nk = v\n');
  });

  it('restoreSection undoes an overwrite byte for byte, comments and blank lines included, CRLF kept', () => {
    const text = '# top\r\n[ci]\r\n; mine\r\naws_access_key_id = OLD\r\nextra = 1\r\n\r\n[b]\r\ny = 2\r\n';
    const original = sectionLines(text, 'ci');
    const written = upsertSection(text, 'ci', KEYS);
    expect(written).not.toBe(text);
    expect(restoreSection(written, 'ci', original)).toBe(text);
  });

  it('restoreSection keeps what changed elsewhere since, and removes a section that did not exist before', () => {
    const text = '[a]\nx = 1\n';
    const written = upsertSection(text, 'ci', KEYS);
    const later = `${written}\n[later]\nz = 3\n`;
    expect(sectionLines(text, 'ci')).toBeUndefined();
    expect(restoreSection(later, 'ci', undefined)).toBe('[a]\nx = 1\n\n[later]\nz = 3\n');
    const overwritten = upsertSection('[ci]\nold = 1\n', 'ci', KEYS);
    expect(restoreSection(`${overwritten}\n[later]\nz = 3\n`, 'ci', ['[ci]', 'old = 1', ''])).toBe(
      '[ci]\nold = 1\n\n[later]\nz = 3\n',
    );
  });
});
