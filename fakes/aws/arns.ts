/**
 * Identifiers in AWS's own formats. The random parts are derived from a seed and a counter, so a
 * test run produces the same ARNs every time and a failure message can be compared across runs.
 * @module
 */
import { createHash } from 'node:crypto';

export class IdSource {
  private counter = 0;

  constructor(private readonly seed: string) {}

  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      out += createHash('sha256').update(`${this.seed}:${this.counter++}`).digest('hex');
    }
    return out.slice(0, length);
  }

  digits(length: number): string {
    return BigInt(`0x${this.hex(16)}`)
      .toString()
      .padStart(length, '0')
      .slice(-length);
  }

  uuid(): string {
    const hex = this.hex(32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** `sg-…`, `subnet-…`, `eni-…`, `sgr-…`: EC2 ids carry 17 hex digits today. */
  ec2(prefix: string): string {
    return `${prefix}-${this.hex(17)}`;
  }
}

interface ArnScope {
  region: string;
  accountId: string;
}

const elbv2Prefix = (scope: ArnScope): string => `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}`;

export function loadBalancerArn(scope: ArnScope, name: string, id: string): string {
  return `${elbv2Prefix(scope)}:loadbalancer/app/${name}/${id}`;
}

export function targetGroupArn(scope: ArnScope, name: string, id: string): string {
  return `${elbv2Prefix(scope)}:targetgroup/${name}/${id}`;
}

/** A listener's ARN extends its load balancer's path: `listener/app/<lb>/<lb-id>/<id>`. */
export function listenerArn(lbArn: string, id: string): string {
  return `${lbArn.replace(':loadbalancer/', ':listener/')}/${id}`;
}

export function ruleArn(listenerArnValue: string, id: string): string {
  return `${listenerArnValue.replace(':listener/', ':listener-rule/')}/${id}`;
}

export function certificateArn(scope: ArnScope, uuid: string): string {
  return `arn:aws:acm:${scope.region}:${scope.accountId}:certificate/${uuid}`;
}

export function ec2Arn(scope: ArnScope, resourceType: string, id: string): string {
  return `arn:aws:ec2:${scope.region}:${scope.accountId}:${resourceType}/${id}`;
}

export function dnsName(scope: ArnScope, name: string, scheme: string, digits: string): string {
  const prefix = scheme === 'internal' ? 'internal-' : '';
  return `${prefix}${name}-${digits}.${scope.region}.elb.amazonaws.com`;
}

const ALB_HOSTED_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
};

export function canonicalHostedZoneId(region: string): string {
  return ALB_HOSTED_ZONES[region] ?? 'Z35SXDOTRQ7X7K';
}

export type Elbv2ArnKind = 'loadbalancer' | 'targetgroup' | 'listener' | 'listener-rule';

const ELBV2_RESOURCE_PATHS = [
  'loadbalancer/app/[^/]+/[0-9a-f]+',
  'targetgroup/[^/]+/[0-9a-f]+',
  'listener/app/[^/]+/[0-9a-f]+/[0-9a-f]+',
  'listener-rule/app/[^/]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+',
];
const ELBV2_ARN = new RegExp(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:(${ELBV2_RESOURCE_PATHS.join('|')})$`);

/** The resource kind an ELBv2 ARN names, or undefined when it is not a well-formed ALB-side ARN. */
export function elbv2ArnKind(arn: string): Elbv2ArnKind | undefined {
  const path = ELBV2_ARN.exec(arn)?.[1];
  if (path === undefined) return undefined;
  return path.slice(0, path.indexOf('/')) as Elbv2ArnKind;
}

const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

export function isCertificateArn(arn: string): boolean {
  return ACM_ARN.test(arn);
}

export function webAclArn(scope: ArnScope, name: string, id: string): string {
  return `arn:aws:wafv2:${scope.region}:${scope.accountId}:regional/webacl/${name}/${id}`;
}

/** Shield is global: its ARNs carry no Region. */
export function protectionArn(scope: ArnScope, id: string): string {
  return `arn:aws:shield::${scope.accountId}:protection/${id}`;
}

export function trustStoreArn(scope: ArnScope, name: string, id: string): string {
  return `${elbv2Prefix(scope)}:truststore/${name}/${id}`;
}
