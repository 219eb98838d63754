import { obtainSession } from '../../exchange/obtain';
import { parseSettings } from '../../settings/parse';
import { credentialProcessDocument } from '../../sink/credential-process';
import { type CommandContext, cliSettingsSource } from '../context';

/**
 * `credential-process`: the JSON an SDK reads from a credential_process. Every run starts from a fresh CI token, so
 * each refresh the SDK asks for is a new exchange, good for as long as the CI can mint tokens.
 */
export async function credentialProcessCommand(context: CommandContext): Promise<number> {
  const settings = parseSettings(cliSettingsSource(context));
  const session = await obtainSession(settings, context.log);
  context.stdout(credentialProcessDocument(session));
  return 0;
}
