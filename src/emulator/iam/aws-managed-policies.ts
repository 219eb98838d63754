// What the AWS-managed policies a role may attach grant, as the emulator judges IAM calls with them. Each document is
// the published policy (AWS Managed Policy reference, docs.aws.amazon.com/aws-managed-policy/latest/reference/),
// cut down to the statements about IAM, the only service whose calls the emulator authorises this way; the cut statements grant nothing
// here either way. An AWS-managed policy not listed grants nothing in the emulator, so a call it would allow in AWS
// is refused (the emulator errs towards AccessDenied, never towards a grant AWS would not give).

type Statement = Record<string, unknown>;

const ADMINISTRATOR_ACCESS: Statement[] = [{ Effect: 'Allow', Action: '*', Resource: '*' }];

/** IAMFullAccess v2: iam:* plus read-only organizations calls (cut). */
const IAM_FULL_ACCESS: Statement[] = [{ Effect: 'Allow', Action: ['iam:*'], Resource: '*' }];

/** IAMReadOnlyAccess v4, complete. */
const IAM_READ_ONLY_ACCESS: Statement[] = [
  {
    Effect: 'Allow',
    Action: [
      'iam:GenerateCredentialReport',
      'iam:GenerateServiceLastAccessedDetails',
      'iam:Get*',
      'iam:List*',
      'iam:SimulateCustomPolicy',
      'iam:SimulatePrincipalPolicy',
    ],
    Resource: '*',
  },
];

/** ReadOnlyAccess: its iam entries (the policy lists read actions of every service). */
const READ_ONLY_ACCESS: Statement[] = [
  { Effect: 'Allow', Action: ['iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*'], Resource: '*' },
];

/** PowerUserAccess: everything but iam/organizations/account, plus a few named iam calls (others cut). */
const POWER_USER_ACCESS: Statement[] = [
  { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
  {
    Effect: 'Allow',
    Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles'],
    Resource: '*',
  },
];

const BY_NAME: Readonly<Record<string, Statement[]>> = {
  AdministratorAccess: ADMINISTRATOR_ACCESS,
  IAMFullAccess: IAM_FULL_ACCESS,
  IAMReadOnlyAccess: IAM_READ_ONLY_ACCESS,
  ReadOnlyAccess: READ_ONLY_ACCESS,
  PowerUserAccess: POWER_USER_ACCESS,
};

/** The statements of an AWS-managed policy (`arn:<partition>:iam::aws:policy/<name>`), or none when not modelled. */
export function awsManagedStatements(policyArn: string): Statement[] {
  const match = /^arn:[\w-]+:iam::aws:policy\/(.+)$/.exec(policyArn);
  if (!match) return [];
  return BY_NAME[match[1] as string] ?? [];
}
