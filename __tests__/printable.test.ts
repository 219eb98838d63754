import { inertJson, inertLine, inertText, oneLine, workflowCommand } from '../src/printable';
import { GithubRunner } from '../src/sink/github';
import { runnerCommands } from './support/runner-commands';

describe('printable', () => {
  it('oneLine shows line breaks and control characters instead of emitting them', () => {
    expect(oneLine('a\nb\r\nc\u2028d\u001b[31m')).toBe('a\\nb\\r\\nc\\u2028d\\u001b[31m');
    expect(oneLine(['x', 1])).toBe('["x",1]');
  });

  it.each([
    '::add-mask::x',
    '   ::stop-commands::t',
    '\t::set-env name=A::b',
    'text ##[add-path]/tmp/evil',
    '##[stop-commands]t',
  ])('inertLine leaves no runner command in %j', (line) => {
    expect(runnerCommands(line)).toHaveLength(1);
    expect(runnerCommands(inertLine(line))).toEqual([]);
  });

  it('inertText keeps our line breaks and neutralises every line', () => {
    expect(inertText('ok\n::add-mask::x\r\nfine')).toBe('ok\n%3A%3Aadd-mask::x\nfine');
  });

  it('inertJson reads back the same values', () => {
    const value = { a: '##[add-mask]x', b: '::stop-commands::t' };
    const text = inertJson(JSON.stringify(value, null, 2));
    expect(runnerCommands(text)).toEqual([]);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('workflowCommand escapes message and properties so the runner reads back exactly one command', () => {
    const line = workflowCommand('error', 'bad\n::add-mask::x 100%', { title: 'a:b,c=d\ne' });
    expect(line).not.toMatch(/[\r\n]/);
    expect(runnerCommands(line)).toEqual([
      { name: 'error', data: 'bad\n::add-mask::x 100%', properties: { title: 'a:b,c=d\ne' }, line: 1 },
    ]);
  });

  it('the GitHub logger prints one inert line per message whatever the message holds', () => {
    const out: string[] = [];
    const log = new GithubRunner({}, (t) => out.push(t)).logger(true);
    log.info('sub x\n::add-mask::repo');
    log.info('::stop-commands::t');
    log.warn('w\n::set-output name=a::b');
    log.debug('d\r::add-path::/x');
    log.error('e\n##[add-mask]y');
    const text = out.join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(5);
    expect(runnerCommands(text).map((c) => c.name)).toEqual(['warning', 'debug', 'error']);
  });
});
