/**
 * The memory scenario runs the controller as the image does (bench/memory-build.ts): with the
 * runtime stage's environment from the Dockerfile, and the heap V8 configures under the
 * Deployment's memory limit from deploy/base, both read as shipped; and with the Deployment's args.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { deploymentArgs, deploymentMemoryLimit, heapSizeMib, imageEnvironment, quantityBytes } from '../../bench/memory-build.js';

describe('memory scenario: the heap of the controller in its Deployment', () => {
  it('reads Kubernetes memory quantities', () => {
    assert.deepEqual(['512Mi', '1Gi', '256Ki', '1G', '500M', '536870912', '1.5Gi'].map(quantityBytes), [
      2 ** 29,
      2 ** 30,
      2 ** 18,
      1e9,
      5e8,
      536870912,
      1.5 * 2 ** 30,
    ]);
    assert.throws(() => quantityBytes('512 MB'), /not a memory quantity/);
  });

  it('gives the heap half the memory (a quarter, times 2 on 64-bit), at most 4 GiB', () => {
    assert.deepEqual(['512Mi', '1Gi', '16Gi', '64Gi'].map(heapSizeMib), [256, 512, 4096, 4096]);
  });

  it('takes the limit from deploy/base/deployment.yaml', () => {
    assert.equal(deploymentMemoryLimit(readFileSync(new URL('../../deploy/base/deployment.yaml', import.meta.url), 'utf8')), '512Mi');
  });

  it("takes the environment from the Dockerfile's runtime stage", () => {
    const environment = imageEnvironment(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'));
    assert.equal(environment.NODE_ENV, 'production');
    assert.match(environment.GLIBC_TUNABLES ?? '', /^glibc\.malloc\./);
    assert.deepEqual(imageEnvironment('FROM a AS build\nENV BUILD_ONLY=1\nFROM b\nENV A="x y" B=2\nENV C=3 \\\n  D=4\n'), { A: 'x y', B: '2', C: '3', D: '4' });
  });

  it("takes the controller's args from deploy/base, $(POD_NAMESPACE) resolved as the kubelet does", () => {
    const args = deploymentArgs(readFileSync(new URL('../../deploy/base/deployment.yaml', import.meta.url), 'utf8'));
    assert.ok(args.includes('--provider=aws'));
    assert.ok(args.includes('--namespace=ingress-bridge'));
    assert.ok(!args.includes('run'), 'the subcommand is left out');
    const manifest = `kind: Deployment
metadata: {namespace: ns}
spec:
  template:
    spec:
      containers:
        - args: [run, --namespace=$(POD_NAMESPACE), --x=$(LITERAL), --y=$(UNKNOWN)]
          env:
            - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: LITERAL, value: v}
`;
    assert.deepEqual(deploymentArgs(manifest), ['--namespace=ns', '--x=v', '--y=$(UNKNOWN)']);
  });
});
