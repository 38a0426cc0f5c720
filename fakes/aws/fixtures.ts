/**
 * Ready-made worlds for provider tests: the network of a cluster named `test` (one VPC, public and
 * internal subnets tagged for discovery, a node with its security group), and real PEM
 * certificates made with openssl for ImportCertificate.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsFake } from './index.js';

export interface DefaultNetwork {
  vpcId: string;
  /** Internet-facing subnets in us-east-1a, 1b and 1c. */
  publicSubnetIds: string[];
  /** Internal subnets in us-east-1a and 1b. */
  internalSubnetIds: string[];
  nodeSecurityGroupId: string;
  instanceId: string;
  instanceIp: string;
}

export function seedDefaultNetwork(fake: AwsFake, options: { clusterName?: string } = {}): DefaultNetwork {
  const clusterTag = `kubernetes.io/cluster/${options.clusterName ?? 'test'}`;
  const vpcId = fake.seed.vpc({ id: 'vpc-0a1b2c3d4e5f60718', cidr: '10.0.0.0/16', tags: { Name: 'test-vpc' } });
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const publicSubnetIds = zones.map((az, index) =>
    fake.seed.subnet({
      id: `subnet-0${'abc'[index] ?? 'a'}${'0'.repeat(15)}`,
      az,
      vpcId,
      cidr: `10.0.${index}.0/24`,
      tags: { Name: `test-public-${az}`, 'kubernetes.io/role/elb': '1', [clusterTag]: 'shared' },
    }),
  );
  const internalSubnetIds = zones.slice(0, 2).map((az, index) =>
    fake.seed.subnet({
      id: `subnet-0${index + 1}${'0'.repeat(14)}1`,
      az,
      vpcId,
      cidr: `10.0.${10 + index}.0/24`,
      tags: { Name: `test-internal-${az}`, 'kubernetes.io/role/internal-elb': '1', [clusterTag]: 'shared' },
    }),
  );
  const nodeSecurityGroupId = fake.seed.securityGroup({
    id: 'sg-0d0de000000000001',
    name: 'test-node',
    description: 'test cluster nodes',
    vpcId,
    tags: { Name: 'test-node', [clusterTag]: 'owned' },
  });
  const instanceId = fake.seed.instance({
    id: 'i-0aaaaaaaaaaaaaaaa',
    securityGroupIds: [nodeSecurityGroupId],
    subnetId: internalSubnetIds[0] ?? '',
    privateIp: '10.0.10.10',
    tags: { Name: 'test-node-1', [clusterTag]: 'owned' },
  });
  return { vpcId, publicSubnetIds, internalSubnetIds, nodeSecurityGroupId, instanceId, instanceIp: '10.0.10.10' };
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * A certificate and its unencrypted key, made with the system's openssl. Self-signed unless an
 * issuer (another TestCertificate) is given.
 */
export function testCertificate(options: {
  commonName: string;
  altNames?: string[];
  keyType?: 'rsa' | 'ec';
  days?: number;
  issuer?: TestCertificate;
}): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'aws-fake-cert-'));
  try {
    const file = (name: string): string => join(dir, name);
    const keyArgs = options.keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    const altNames = (options.altNames ?? [options.commonName]).map((name) => `DNS:${name}`).join(',');
    const days = String(options.days ?? 365);
    const subject = ['-subj', `/CN=${options.commonName}`];
    if (options.issuer === undefined) {
      const extension = ['-addext', `subjectAltName=${altNames}`];
      openssl(['req', '-x509', ...keyArgs, '-nodes', '-days', days, ...subject, ...extension, '-keyout', file('key.pem'), '-out', file('cert.pem')]);
    } else {
      writeFileSync(file('ca.pem'), options.issuer.certificatePem);
      writeFileSync(file('ca-key.pem'), options.issuer.privateKeyPem);
      writeFileSync(file('ext.cnf'), `subjectAltName=${altNames}\n`);
      openssl(['req', '-new', ...keyArgs, '-nodes', ...subject, '-keyout', file('key.pem'), '-out', file('req.pem')]);
      const signer = ['-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-CAcreateserial'];
      openssl(['x509', '-req', '-in', file('req.pem'), ...signer, '-days', days, '-extfile', file('ext.cnf'), '-out', file('cert.pem')]);
    }
    return { certificatePem: readFileSync(file('cert.pem'), 'utf8'), privateKeyPem: readFileSync(file('key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
