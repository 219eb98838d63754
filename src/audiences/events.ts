// The events the Lambda function is given: an EventBridge "AWS API Call via CloudTrail" event (one IAM call in
// `detail`), or a CloudTrail log file's `Records`. Only successful CreateRole and DeleteRole calls of IAM start a
// run; anything else is ignored, with the reason, so the log says why nothing happened.

export interface RoleEvent {
  event: 'CreateRole' | 'DeleteRole';
  roleName: string;
  /** The account the call was made in (`recipientAccountId`): where the change is made. */
  accountId?: string;
  /** CloudTrail's event id, for the log. */
  eventId?: string;
}

export type EventDecision = { act: RoleEvent } | { ignore: string };

const DETAIL_TYPE = 'AWS API Call via CloudTrail';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One CloudTrail record (the `detail` of an EventBridge event, or an entry of `Records`). */
export function recordDecision(record: unknown): EventDecision {
  if (!isObject(record)) return { ignore: 'not a CloudTrail record (not an object)' };
  const name = text(record.eventName) ?? '(no eventName)';
  const id = text(record.eventID);
  const where = id ? ` (eventID ${id})` : '';
  if (record.eventSource !== 'iam.amazonaws.com') {
    return { ignore: `${name} of ${text(record.eventSource) ?? 'an unknown source'} is not an IAM call${where}` };
  }
  if (name !== 'CreateRole' && name !== 'DeleteRole')
    return { ignore: `IAM ${name} is not CreateRole or DeleteRole${where}` };
  // A refused call (AccessDenied, EntityAlreadyExists, …) changed nothing.
  const errorCode = text(record.errorCode);
  if (errorCode) return { ignore: `${name} failed with ${errorCode}: nothing changed${where}` };
  const params = isObject(record.requestParameters) ? record.requestParameters : {};
  const roleName = text(params.roleName);
  if (!roleName) return { ignore: `${name} without requestParameters.roleName${where}` };
  const accountId = text(record.recipientAccountId);
  // The account becomes part of the automation role's ARN the function assumes: anything but 12 digits would let
  // whoever wrote the event choose another ARN (`123456789012:role/other#`).
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    return {
      ignore: `${name} with recipientAccountId ${JSON.stringify(accountId.slice(0, 40))}, not an account id${where}`,
    };
  }
  if (roleName.length > 64 || !/^[\w+=,.@-]+$/.test(roleName)) {
    return { ignore: `${name} of a role name no IAM call accepts (${JSON.stringify(roleName.slice(0, 80))})${where}` };
  }
  return {
    act: { event: name, roleName, ...(accountId ? { accountId } : {}), ...(id ? { eventId: id } : {}) },
  };
}

/** Every decision an invocation's event holds, in order. */
export function eventDecisions(event: unknown): EventDecision[] {
  if (isObject(event) && Array.isArray(event.Records)) return event.Records.map(recordDecision);
  if (isObject(event) && 'detail-type' in event) {
    if (event['detail-type'] !== DETAIL_TYPE || event.source !== 'aws.iam') {
      return [
        {
          ignore: `EventBridge event ${String(event['detail-type'])} from ${String(event.source)} is not an IAM API call`,
        },
      ];
    }
    // EventBridge sets `account` itself (the account the event came from, forwarded or not); a record claiming
    // another recipient account did not happen there.
    const decision = recordDecision(event.detail);
    if ('act' in decision && typeof event.account === 'string' && decision.act.accountId !== event.account) {
      return [
        {
          ignore: `${decision.act.event} ${decision.act.roleName}: the event came from account ${JSON.stringify(event.account.slice(0, 40))} but names recipient account ${decision.act.accountId ?? '(none)'}`,
        },
      ];
    }
    return [decision];
  }
  return [{ ignore: 'neither an EventBridge event (detail-type) nor CloudTrail records (Records)' }];
}
