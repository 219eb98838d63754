// The Lambda function's entry point (dist/lambda/index.js, handler `index.handler`): CreateRole/DeleteRole events
// in, the audience automation run in the event's account. Everything but the wiring is in src/audiences/.
import { handleEvent, lambdaSettings, logLine } from '../audiences/lambda-handler';

export async function handler(event: unknown) {
  return handleEvent(event, lambdaSettings(process.env), logLine);
}
