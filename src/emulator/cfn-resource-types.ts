// What the loader knows about CloudFormation resource types, from the CloudFormation resource reference: the
// properties and `!GetAtt` attributes of the types it models, the attributes of common types it does not model
// (so a modelled resource may still use `!GetAtt Bucket.Arn`), and the full list of IAM and Cognito Identity types
// (so a misspelt `AWS::IAM::Rolle` is refused instead of being skipped as "not modelled").

export interface ResourceTypeSpec {
  required: readonly string[];
  optional: readonly string[];
  attributes: readonly string[];
}

/** Types whose resources the emulator creates in its model. */
export const MODELLED_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  'AWS::IAM::OIDCProvider': {
    // CloudFormation marks no property required, but IAM's CreateOpenIDConnectProvider needs the URL.
    required: ['Url'],
    optional: ['ClientIdList', 'ThumbprintList', 'Tags'],
    attributes: ['Arn'],
  },
  'AWS::IAM::Role': {
    required: ['AssumeRolePolicyDocument'],
    optional: [
      'Description',
      'ManagedPolicyArns',
      'MaxSessionDuration',
      'Path',
      'PermissionsBoundary',
      'Policies',
      'RoleName',
      'Tags',
    ],
    attributes: ['Arn', 'RoleId'],
  },
  'AWS::IAM::ManagedPolicy': {
    required: ['PolicyDocument'],
    optional: ['Description', 'Groups', 'ManagedPolicyName', 'Path', 'Roles', 'Users'],
    attributes: [
      'AttachmentCount',
      'CreateDate',
      'DefaultVersionId',
      'IsAttachable',
      'PermissionsBoundaryUsageCount',
      'PolicyArn',
      'PolicyId',
      'UpdateDate',
    ],
  },
  'AWS::IAM::Policy': {
    required: ['PolicyDocument', 'PolicyName'],
    optional: ['Groups', 'Roles', 'Users'],
    attributes: ['Id'],
  },
  'AWS::IAM::RolePolicy': {
    required: ['PolicyName', 'RoleName'],
    optional: ['PolicyDocument'],
    attributes: [],
  },
  'AWS::Cognito::IdentityPool': {
    required: ['AllowUnauthenticatedIdentities'],
    optional: [
      'AllowClassicFlow',
      'CognitoEvents',
      'CognitoIdentityProviders',
      'CognitoStreams',
      'DeveloperProviderName',
      'IdentityPoolName',
      'IdentityPoolTags',
      'OpenIdConnectProviderARNs',
      'PushSync',
      'SamlProviderARNs',
      'SupportedLoginProviders',
    ],
    attributes: ['Id', 'Name'],
  },
  'AWS::Cognito::IdentityPoolPrincipalTag': {
    required: ['IdentityPoolId', 'IdentityProviderName'],
    optional: ['PrincipalTags', 'UseDefaults'],
    attributes: [],
  },
};

/** Every resource type of the IAM and Cognito Identity namespaces the loader understands; others there are typos. */
const KNOWN_IAM_AND_IDENTITY_TYPES = new Set([
  ...Object.keys(MODELLED_TYPES),
  'AWS::IAM::AccessKey',
  'AWS::IAM::Group',
  'AWS::IAM::GroupPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::SAMLProvider',
  'AWS::IAM::ServerCertificate',
  'AWS::IAM::ServiceLinkedRole',
  'AWS::IAM::User',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::UserToGroupAddition',
  'AWS::IAM::VirtualMFADevice',
  'AWS::Cognito::IdentityPoolRoleAttachment',
]);

/** `!GetAtt` attributes of types the emulator does not model but templates commonly combine with IAM. */
const UNMODELLED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::AccessKey': ['SecretAccessKey'],
  'AWS::IAM::Group': ['Arn', 'GroupId'],
  'AWS::IAM::InstanceProfile': ['Arn'],
  'AWS::IAM::SAMLProvider': ['Arn', 'SamlProviderUUID'],
  'AWS::IAM::User': ['Arn'],
  'AWS::Cognito::IdentityPoolRoleAttachment': ['Id'],
  'AWS::S3::Bucket': ['Arn', 'DomainName', 'DualStackDomainName', 'RegionalDomainName', 'WebsiteURL'],
  'AWS::SNS::Topic': ['TopicArn', 'TopicName'],
  'AWS::SQS::Queue': ['Arn', 'QueueName', 'QueueUrl'],
  'AWS::KMS::Key': ['Arn', 'KeyId'],
  'AWS::ECR::Repository': ['Arn', 'RepositoryUri'],
  'AWS::Logs::LogGroup': ['Arn'],
  'AWS::DynamoDB::Table': ['Arn', 'StreamArn'],
  'AWS::Lambda::Function': ['Arn', 'SnapStartResponse'],
  'AWS::SecretsManager::Secret': ['Id'],
};

const TYPE_NAME =
  /^(AWS|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+$|^Custom::[A-Za-z0-9_@-]{1,60}$|^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$/;

/** Why a resource type is not acceptable, or undefined when it is (modelled or merely not modelled). */
export function resourceTypeProblem(type: string): string | undefined {
  if (!TYPE_NAME.test(type)) return `'${type}' is not a resource type name (Service::Category::Type)`;
  if (/^AWS::(IAM|Cognito)::/.test(type) && !KNOWN_IAM_AND_IDENTITY_TYPES.has(type)) {
    if (type.startsWith('AWS::IAM::') || type.startsWith('AWS::Cognito::Identity')) {
      return `unknown resource type ${type}`;
    }
  }
  return undefined;
}

/** The attributes `!GetAtt` may read from a type, or undefined when the emulator does not know them. */
export function knownAttributes(type: string): readonly string[] | undefined {
  return MODELLED_TYPES[type]?.attributes ?? UNMODELLED_ATTRIBUTES[type];
}
