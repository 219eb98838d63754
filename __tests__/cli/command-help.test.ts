import { COMMAND_HELP, GLOBAL_OPTION_HELP } from '../../src/cli/command-help';
import { COMMANDS, GLOBAL_OPTIONS } from '../../src/cli/command-table';

// The types already refuse a table that misses an option; this keeps the promise if someone casts their way past them.
describe('command help', () => {
  it('describes every command with a summary, a description and an example', () => {
    for (const { name } of COMMANDS) {
      const help = COMMAND_HELP[name];
      expect({ name, summary: help?.summary.length > 10, description: help?.description.length > 10 }).toEqual({
        name,
        summary: true,
        description: true,
      });
      expect({ name, examples: help.examples.length > 0 }).toEqual({ name, examples: true });
    }
  });

  it('describes exactly the options of each command', () => {
    for (const command of COMMANDS) {
      const described: Readonly<Record<string, string>> = COMMAND_HELP[command.name].options;
      const missing = command.options.filter((o) => !described[o.name]?.trim()).map((o) => o.name);
      const unknown = Object.keys(described).filter((name) => !command.options.some((o) => o.name === name));
      expect({ command: command.name, missing, unknown }).toEqual({ command: command.name, missing: [], unknown: [] });
    }
  });

  it('describes every global flag', () => {
    const described: Readonly<Record<string, string>> = GLOBAL_OPTION_HELP;
    expect(GLOBAL_OPTIONS.filter((o) => !described[o.name]?.trim()).map((o) => o.name)).toEqual([]);
    expect(Object.keys(described).sort()).toEqual(GLOBAL_OPTIONS.map((o) => o.name).sort());
  });
});
