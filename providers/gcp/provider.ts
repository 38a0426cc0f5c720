/**
 * The GCP provider: an Application Load Balancer per stack — regional (EXTERNAL_MANAGED for
 * internet-facing, INTERNAL_MANAGED for internal), or the global external one when the spec's scope
 * is global. observe reads the stack's resources by name prefix and
 * ownership record; diff maps the spec (desired.ts, url-map.ts) and plans the fewest calls
 * (diff.ts) — or, when the spec asks for something GCP cannot do exactly, no call at all and a
 * diagnostic naming the Ingress and field; apply runs the calls (executor.ts).
 * @module
 */
import type { Diagnostic, LoadBalancerSpec, Stack } from '../../src/model.js';
import type { ApplyOptions, ApplyResult, CertificateMaterialSource, Observed, Provider, ProviderPlan } from '../../src/provider.js';
import { executeOperations } from './apply/executor.js';
import { observeEnvironment, observeStack, type ObserveContext } from './observe/observe.js';
import type { Environment, GcpObserved } from './observe/observed.js';
import { desiredState } from './plan/desired.js';
import { withoutFunctions } from './plan/functions.js';
import { diffState, type GcpOperation } from './plan/diff.js';
import { baseKind, KINDS, type Kind } from './kinds.js';
import type { ComputeApi } from './sdk/compute.js';
import type { GcpSettings } from './settings.js';

interface PlanInternals {
  operations: GcpOperation[];
  diagnostics: Diagnostic[];
  /** The address the load balancer has (or will have once the plan ran), for Ingress status. */
  addressName?: string;
  addressKind?: Kind;
  address?: string;
  members: Stack['members'];
}

export interface GcpProviderOptions {
  clusterName: string;
  certificates: CertificateMaterialSource;
  api: ComputeApi;
  settings: GcpSettings;
}

export class GcpProvider implements Provider {
  readonly name = 'gcp';
  private readonly plans = new WeakMap<ProviderPlan, PlanInternals>();
  private environment: Environment | undefined;
  private readonly context: ObserveContext;

  constructor(private readonly options: GcpProviderOptions) {
    this.context = { api: options.api, cluster: options.clusterName, network: options.settings.network, subnetwork: options.settings.subnetwork };
  }

  /** Always a full read of the stack (a handful of filtered lists), whatever `read` asks; the VPC and proxy-only subnet once found. */
  async observe(stack: Pick<Stack, 'id'>): Promise<Observed> {
    // Read again until complete: a proxy-only subnet made after the start is then found without a restart.
    if (this.environment?.proxySubnetCidr === undefined || this.environment.network === undefined) this.environment = await observeEnvironment(this.context);
    return observeStack(stack.id, this.context, this.environment);
  }

  diff(asked: LoadBalancerSpec | undefined, observed: Observed): ProviderPlan {
    const seen = observed as GcpObserved;
    const settings = this.options.settings;
    // Function backends cost their own paths only (503), never the rest of the stack: their errors
    // are reported but do not refuse the plan.
    const served = asked && withoutFunctions(asked);
    const spec = served?.spec;
    const desired =
      spec &&
      desiredState(spec, {
        cluster: this.options.clusterName,
        project: settings.project,
        region: settings.region,
        defaultZone: settings.zone,
        manageFirewall: settings.manageFirewall,
        environment: seen.environment,
      });
    const refused = (desired?.diagnostics ?? []).some((diagnostic) => diagnostic.severity === 'error');
    const diagnostics = [...(served?.diagnostics ?? []), ...(desired?.diagnostics ?? [])];
    // A spec GCP cannot serve exactly changes nothing: the load balancer keeps serving what it did.
    const operations = refused ? [] : diffState(desired, seen);
    const plan: ProviderPlan = {
      stackId: observed.stackId,
      operations: operations.map((operation) => ({
        action: operation.action,
        resource: operation.resource,
        ...(operation.detail !== undefined && { detail: operation.detail }),
      })),
    };
    const wantedAddress = desired?.resources.find((resource) => baseKind(resource.kind) === 'address');
    const addressName = wantedAddress?.name;
    const address = seen.resources.find((resource) => resource.kind === wantedAddress?.kind && resource.name === addressName);
    this.plans.set(plan, {
      operations,
      diagnostics,
      ...(wantedAddress && { addressName: wantedAddress.name, addressKind: wantedAddress.kind }),
      // An address about to be made anew has a new IP: read once the plan ran.
      ...(address &&
        spec &&
        !operations.some((operation) => operation.kind === address.kind && operation.method === 'insert') && { address: String(address.body['address']) }),
      members: spec?.stack.members ?? [],
    });
    return plan;
  }

  async apply(plan: ProviderPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
    const internals = this.plans.get(plan);
    if (!internals) throw new Error('apply was given a plan this provider did not make');
    const result = await executeOperations(internals.operations, this.options.api, this.options.certificates, options.mayMutate ?? (() => true));
    const diagnostics = [...internals.diagnostics];
    const failure = result.outcomes.find((outcome) => outcome.error !== undefined);
    if (failure) {
      for (const member of internals.members) {
        diagnostics.push({
          severity: 'error',
          object: { kind: 'Ingress', namespace: member.namespace, name: member.name },
          field: 'metadata',
          message: `GCP ${failure.operation.action} ${failure.operation.resource} failed: ${failure.error ?? ''}`,
        });
      }
    }
    let address = internals.address;
    if (address === undefined && internals.addressName !== undefined && internals.addressKind !== undefined && !result.failed) {
      const [found] = await this.options.api.list(KINDS[internals.addressKind], internals.addressName);
      if (typeof found?.['address'] === 'string') address = found['address'];
    }
    return { ...(address !== undefined && { address: { ip: address } }), outcomes: result.outcomes, diagnostics };
  }

  async delete(stack: Pick<Stack, 'id'>): Promise<void> {
    const observed = await this.observe(stack);
    const result = await this.apply(this.diff(undefined, observed));
    const failure = result.outcomes.find((outcome) => outcome.error !== undefined);
    if (failure) throw new Error(`deleting stack ${stack.id}: ${failure.operation.action} ${failure.operation.resource}: ${failure.error ?? ''}`);
  }

  close(): Promise<void> {
    return this.options.api.close();
  }
}
