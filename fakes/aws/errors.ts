/**
 * Errors shaped the way the SDK would reject `send` after deserializing an AWS error response:
 * instances of the client's modelled exception classes where the model has one (so `instanceof`
 * and `name` both work), otherwise the client's base ServiceException with `name` set to the wire
 * code (ELBv2 `ValidationError`, every EC2 code). All carry `$fault: 'client'` and `$metadata`
 * with HTTP 400; throttling errors also carry `$retryable: { throttling: true }`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import * as acm from '@aws-sdk/client-acm';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as lambda from '@aws-sdk/client-lambda';
import * as tagging from '@aws-sdk/client-resource-groups-tagging-api';
import * as shield from '@aws-sdk/client-shield';
import * as wafv2 from '@aws-sdk/client-wafv2';

export type ServiceId = 'elbv2' | 'acm' | 'ec2' | 'tagging' | 'wafv2' | 'shield' | 'lambda';

type ResponseMetadata = elbv2.ElasticLoadBalancingV2ServiceException['$metadata'];

interface ExceptionOptions {
  $metadata: ResponseMetadata;
  message: string;
  Message?: string;
}
type ExceptionClass = new (options: ExceptionOptions) => Error;

function errorMetadata(): ResponseMetadata {
  return { httpStatusCode: 400, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
}

const ELBV2_EXCEPTIONS = {
  CertificateNotFound: elbv2.CertificateNotFoundException,
  DuplicateListener: elbv2.DuplicateListenerException,
  DuplicateLoadBalancerName: elbv2.DuplicateLoadBalancerNameException,
  DuplicateTagKeys: elbv2.DuplicateTagKeysException,
  DuplicateTargetGroupName: elbv2.DuplicateTargetGroupNameException,
  InvalidConfigurationRequest: elbv2.InvalidConfigurationRequestException,
  InvalidLoadBalancerAction: elbv2.InvalidLoadBalancerActionException,
  InvalidSecurityGroup: elbv2.InvalidSecurityGroupException,
  InvalidSubnet: elbv2.InvalidSubnetException,
  InvalidTarget: elbv2.InvalidTargetException,
  ListenerNotFound: elbv2.ListenerNotFoundException,
  LoadBalancerNotFound: elbv2.LoadBalancerNotFoundException,
  OperationNotPermitted: elbv2.OperationNotPermittedException,
  PriorityInUse: elbv2.PriorityInUseException,
  ResourceInUse: elbv2.ResourceInUseException,
  RuleNotFound: elbv2.RuleNotFoundException,
  SSLPolicyNotFound: elbv2.SSLPolicyNotFoundException,
  SubnetNotFound: elbv2.SubnetNotFoundException,
  TargetGroupAssociationLimit: elbv2.TargetGroupAssociationLimitException,
  TargetGroupNotFound: elbv2.TargetGroupNotFoundException,
  TooManyActions: elbv2.TooManyActionsException,
  TooManyCertificates: elbv2.TooManyCertificatesException,
  TooManyListeners: elbv2.TooManyListenersException,
  TooManyLoadBalancers: elbv2.TooManyLoadBalancersException,
  TooManyRules: elbv2.TooManyRulesException,
  TooManyTags: elbv2.TooManyTagsException,
  TooManyTargetGroups: elbv2.TooManyTargetGroupsException,
  TooManyTargets: elbv2.TooManyTargetsException,
  TooManyUniqueTargetGroupsPerLoadBalancer: elbv2.TooManyUniqueTargetGroupsPerLoadBalancerException,
  TrustStoreNotFound: elbv2.TrustStoreNotFoundException,
  TrustStoreNotReady: elbv2.TrustStoreNotReadyException,
  UnsupportedProtocol: elbv2.UnsupportedProtocolException,
} satisfies Record<string, ExceptionClass>;

/** ELBv2 codes as the API reference names them (`PriorityInUse`); the SDK class adds `Exception`. */
export type Elbv2ErrorCode = keyof typeof ELBV2_EXCEPTIONS | 'ValidationError';

export function elbv2Error(code: Elbv2ErrorCode, message: string): Error {
  const $metadata = errorMetadata();
  const error =
    code === 'ValidationError'
      ? new elbv2.ElasticLoadBalancingV2ServiceException({ name: code, $fault: 'client', $metadata, message })
      : new ELBV2_EXCEPTIONS[code]({ $metadata, message, Message: message });
  // The awsQuery deserializer copies the wire error's Type and Code onto the exception.
  return Object.assign(error, { Type: 'Sender', Code: code, Error: { Type: 'Sender', Code: code, Message: message } });
}

const ACM_EXCEPTIONS = {
  InvalidArnException: acm.InvalidArnException,
  InvalidParameterException: acm.InvalidParameterException,
  InvalidTagException: acm.InvalidTagException,
  LimitExceededException: acm.LimitExceededException,
  ResourceInUseException: acm.ResourceInUseException,
  ResourceNotFoundException: acm.ResourceNotFoundException,
  TooManyTagsException: acm.TooManyTagsException,
  ValidationException: acm.ValidationException,
} satisfies Record<string, ExceptionClass>;

export type AcmErrorCode = keyof typeof ACM_EXCEPTIONS;

export function acmError(code: AcmErrorCode, message: string): Error {
  return new ACM_EXCEPTIONS[code]({ $metadata: errorMetadata(), message });
}

/** EC2 models no exceptions: every error is the base class named by its dotted code. */
export function ec2Error(code: string, message: string): Error {
  const error = new EC2ServiceException({ name: code, $fault: 'client', $metadata: errorMetadata(), message });
  return Object.assign(error, { Code: code });
}

export function taggingError(code: 'InvalidParameterException', message: string): Error {
  return new tagging.InvalidParameterException({ $metadata: errorMetadata(), message, Message: message });
}

const WAFV2_EXCEPTIONS = {
  WAFInvalidParameterException: wafv2.WAFInvalidParameterException,
  WAFNonexistentItemException: wafv2.WAFNonexistentItemException,
  WAFUnavailableEntityException: wafv2.WAFUnavailableEntityException,
  WAFInvalidOperationException: wafv2.WAFInvalidOperationException,
} satisfies Record<string, ExceptionClass>;

export type Wafv2ErrorCode = keyof typeof WAFV2_EXCEPTIONS;

export function wafv2Error(code: Wafv2ErrorCode, message: string): Error {
  return new WAFV2_EXCEPTIONS[code]({ $metadata: errorMetadata(), message, Message: message });
}

const SHIELD_EXCEPTIONS = {
  InvalidParameterException: shield.InvalidParameterException,
  InvalidResourceException: shield.InvalidResourceException,
  ResourceAlreadyExistsException: shield.ResourceAlreadyExistsException,
  ResourceNotFoundException: shield.ResourceNotFoundException,
} satisfies Record<string, ExceptionClass>;

export type ShieldErrorCode = keyof typeof SHIELD_EXCEPTIONS;

export function shieldError(code: ShieldErrorCode, message: string): Error {
  return new SHIELD_EXCEPTIONS[code]({ $metadata: errorMetadata(), message });
}

const LAMBDA_EXCEPTIONS = {
  InvalidParameterValueException: { type: lambda.InvalidParameterValueException, status: 400 },
  PreconditionFailedException: { type: lambda.PreconditionFailedException, status: 412 },
  ResourceConflictException: { type: lambda.ResourceConflictException, status: 409 },
  ResourceNotFoundException: { type: lambda.ResourceNotFoundException, status: 404 },
} as const;

export type LambdaErrorCode = keyof typeof LAMBDA_EXCEPTIONS;

/** Lambda's REST errors carry their own HTTP status (404 not found, 409 conflict, 412 revision). */
export function lambdaError(code: LambdaErrorCode, message: string): Error {
  const { type, status } = LAMBDA_EXCEPTIONS[code];
  return new type({ $metadata: { ...errorMetadata(), httpStatusCode: status }, message });
}

/** What each service answers when a request is throttled, as measured against the real wire codes. */
export function throttlingError(service: ServiceId): Error {
  const $metadata = errorMetadata();
  const $retryable = { throttling: true };
  switch (service) {
    case 'elbv2':
      return Object.assign(new elbv2.ElasticLoadBalancingV2ServiceException({ name: 'Throttling', $fault: 'client', $metadata, message: 'Rate exceeded' }), {
        $retryable,
        Type: 'Sender',
        Code: 'Throttling',
      });
    case 'acm':
      return Object.assign(new acm.ThrottlingException({ $metadata, message: 'Rate exceeded' }), { $retryable });
    case 'ec2':
      return Object.assign(new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata, message: 'Request limit exceeded.' }), {
        $retryable,
        Code: 'RequestLimitExceeded',
      });
    case 'tagging':
      return Object.assign(new tagging.ThrottledException({ $metadata, message: 'Rate exceeded', Message: 'Rate exceeded' }), { $retryable });
    case 'wafv2':
      return Object.assign(new wafv2.WAFV2ServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata, message: 'Rate exceeded' }), {
        $retryable,
      });
    case 'shield':
      return Object.assign(new shield.ShieldServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata, message: 'Rate exceeded' }), {
        $retryable,
      });
    case 'lambda':
      return Object.assign(new lambda.TooManyRequestsException({ $metadata: { ...$metadata, httpStatusCode: 429 }, message: 'Rate exceeded' }), { $retryable });
  }
}

/**
 * What each service answers when IAM refuses a call: ELBv2 `AccessDenied` (awsQuery), ACM and the
 * Tagging API, WAFv2 and Shield `AccessDeniedException`, EC2 `UnauthorizedOperation`; all HTTP 403,
 * never retryable.
 */
export function accessDeniedError(service: ServiceId, message: string): Error {
  const $metadata = { ...errorMetadata(), httpStatusCode: 403 };
  switch (service) {
    case 'elbv2':
      return Object.assign(new elbv2.ElasticLoadBalancingV2ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata, message }), {
        Type: 'Sender',
        Code: 'AccessDenied',
        Error: { Type: 'Sender', Code: 'AccessDenied', Message: message },
      });
    case 'acm':
      return new acm.AccessDeniedException({ $metadata, message, Message: message });
    case 'ec2':
      return Object.assign(new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata, message }), { Code: 'UnauthorizedOperation' });
    case 'tagging':
      return new tagging.ResourceGroupsTaggingAPIServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata, message });
    case 'wafv2':
      return new wafv2.WAFV2ServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata, message });
    case 'shield':
      return new shield.AccessDeniedException({ $metadata, message });
    case 'lambda':
      return new lambda.LambdaServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata, message });
  }
}

/**
 * Thrown instead of a mutating call once `failAfterMutations(k)` has let k through: stands for the
 * controller process dying at that point. It is not an AWS error, so no retry logic should catch it.
 */
export class FakeCrash extends Error {
  override readonly name = 'FakeCrash';
  constructor(
    readonly service: ServiceId,
    readonly action: string,
  ) {
    super(`FakeCrash: simulated controller crash before ${service}:${action}`);
  }
}

/** The provider called an API action (or used an input form) the fake does not implement. */
export class UnsupportedByFake extends Error {
  override readonly name = 'UnsupportedByFake';
  constructor(what: string) {
    super(`UnsupportedByFake: ${what}`);
  }
}

const SERVICE_LABELS: Readonly<Record<ServiceId, string>> = {
  elbv2: 'ELBv2',
  acm: 'ACM',
  ec2: 'EC2',
  tagging: 'Tagging',
  wafv2: 'WAFv2',
  shield: 'Shield',
  lambda: 'Lambda',
};

export function unsupportedAction(service: ServiceId, action: string, detail?: string): UnsupportedByFake {
  return new UnsupportedByFake(`${SERVICE_LABELS[service]}.${action}${detail === undefined ? '' : ` (${detail})`}`);
}
