/**
 * Events as CloudTrail and EventBridge deliver them (recorded-format fixtures): a successful CreateRole/DeleteRole
 * acts on the role in the recipient account; a failed call, another IAM call or another service is ignored with
 * the reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventDecisions } from '../../src/audiences/events';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

test('EventBridge CreateRole: the role and the recipient account', () => {
  expect(eventDecisions(fixture('eventbridge-create-role.json'))).toEqual([
    {
      act: {
        event: 'CreateRole',
        roleName: 'payments-deploy',
        accountId: '444455556666',
        eventId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
      },
    },
  ]);
});

test('CloudTrail Records: DeleteRole acts; the failed DeleteRole and AttachRolePolicy are ignored, saying why', () => {
  const decisions = eventDecisions(fixture('cloudtrail-delete-role.json'));
  expect(decisions[0]).toEqual({
    act: {
      event: 'DeleteRole',
      roleName: 'legacy-reports',
      accountId: '444455556666',
      eventId: 'd4c3b2a1-0f9e-4d8c-b7a6-5f4e3d2c1b0a',
    },
  });
  expect(decisions[1]).toEqual({
    ignore: expect.stringMatching(/^DeleteRole failed with NoSuchEntityException: nothing changed/),
  });
  expect(decisions[2]).toEqual({
    ignore: expect.stringMatching(/^IAM AttachRolePolicy is not CreateRole or DeleteRole/),
  });
});

test('EventBridge events of other detail types or sources are ignored', () => {
  const s3 = { ...fixture('eventbridge-create-role.json'), source: 'aws.s3' };
  expect(eventDecisions(s3)).toEqual([{ ignore: expect.stringContaining('not an IAM API call') }]);
  const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
  expect(eventDecisions(scheduled)[0]).toHaveProperty('ignore');
  expect(eventDecisions('nonsense')).toEqual([{ ignore: expect.stringContaining('neither an EventBridge event') }]);
});

test('a record without a role name is ignored, not guessed', () => {
  const event = fixture('eventbridge-create-role.json');
  event.detail.requestParameters = {};
  expect(eventDecisions(event)).toEqual([{ ignore: expect.stringContaining('without requestParameters.roleName') }]);
});

test('an account id that is not 12 digits is ignored: it would become part of the role ARN the function assumes', () => {
  const event = fixture('eventbridge-create-role.json');
  event.detail.recipientAccountId = '444455556666:role/other-role#';
  event.account = event.detail.recipientAccountId;
  expect(eventDecisions(event)).toEqual([{ ignore: expect.stringContaining('not an account id') }]);
  const records = { Records: [{ ...event.detail }] };
  expect(eventDecisions(records)).toEqual([{ ignore: expect.stringContaining('not an account id') }]);
});

test('an EventBridge event whose record names another recipient account than the event came from is ignored', () => {
  const event = fixture('eventbridge-create-role.json');
  event.detail.recipientAccountId = '999988887777';
  expect(eventDecisions(event)).toEqual([
    { ignore: expect.stringMatching(/came from account "444455556666" but names recipient account 999988887777/) },
  ]);
});

test('a role name no IAM call accepts (too long, odd characters) is ignored, not passed on', () => {
  const event = fixture('eventbridge-create-role.json');
  for (const roleName of ['a'.repeat(65), 'x y', 'path/name', '']) {
    event.detail.requestParameters.roleName = roleName;
    expect(eventDecisions(event)).toEqual([{ ignore: expect.any(String) }]);
  }
});
