/**
 * A stateful fake of the AWS APIs the controller uses (ELBv2, ACM, EC2, Resource Groups Tagging,
 * WAFv2, Shield, Lambda permissions), behind the real SDK clients: `install()` stubs `send` on their client classes with
 * aws-sdk-client-mock, so every command any client instance sends lands here. Each call is logged,
 * may be throttled or "crash" on request, and is answered (or rejected) as AWS would. Given an IAM
 * policy, every call is first authorized against it (iam-enforcer.ts), as for a principal holding it.
 * An action outside the implemented surface rejects with `UnsupportedByFake: <Service>.<Action>`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import * as acmModule from '@aws-sdk/client-acm';
import * as ec2Module from '@aws-sdk/client-ec2';
import * as elbv2Module from '@aws-sdk/client-elastic-load-balancing-v2';
import * as lambdaModule from '@aws-sdk/client-lambda';
import * as taggingModule from '@aws-sdk/client-resource-groups-tagging-api';
import * as shieldModule from '@aws-sdk/client-shield';
import * as wafv2Module from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { acmHandlers } from './acm.js';
import { TokenBuckets } from './buckets.js';
import { CallLog, type DeniedCall, type FakeAuthorization, FaultInjector, IamLog, isMutating, type FakeCall, type ThrottleOptions } from './calls.js';
import { ec2Handlers } from './ec2.js';
import { securityGroupHandlers } from './ec2-security-groups.js';
import { securityGroupRuleHandlers } from './ec2-sg-rules.js';
import { listenerSettingsHandlers } from './elbv2-listener-settings.js';
import { listenerHandlers } from './elbv2-listeners.js';
import { ruleHandlers } from './elbv2-rules.js';
import { elbv2TagHandlers } from './elbv2-tags.js';
import { targetGroupHandlers } from './elbv2-target-groups.js';
import { targetHandlers } from './elbv2-targets.js';
import { loadBalancerHandlers } from './elbv2.js';
import { FakeCrash, throttlingError, unsupportedAction, type ServiceId } from './errors.js';
import { parseIamPolicy } from './iam.js';
import { createIamEnforcer } from './iam-enforcer.js';
import { lambdaHandlers } from './lambda.js';
import { createSeeds, type Seeds } from './seeds.js';
import { createState, type FakeClock, type FakeState, type Handler, type HeldTargetHealth } from './state.js';
import { shieldHandlers } from './shield.js';
import { taggingHandlers } from './tagging.js';
import { wafv2Handlers } from './wafv2.js';
import { createStateView, type StateView } from './views.js';

export { FakeCrash, UnsupportedByFake } from './errors.js';
export type { DeniedCall, FakeAuthorization, FakeCall, ThrottleOptions } from './calls.js';
export type { ServiceId } from './errors.js';
export type { IamPolicy } from './iam.js';
export type { FakeClock, HeldTargetHealth } from './state.js';
export type { Seeds } from './seeds.js';
export type { StateView } from './views.js';

export interface AwsFakeOptions {
  region?: string;
  accountId?: string;
  /** Rules per load balancer, default rules excluded (AWS default 100). */
  rulesPerLoadBalancer?: number;
  /** Certificates per listener besides the default (AWS: 25 per load balancer). */
  certificatesPerListener?: number;
  targetsPerTargetGroup?: number;
  /** Describes a new target answers `initial` before `healthy` (default 1; 0 = healthy at once). */
  targetsHealthyAfterDescribes?: number;
  /** How long (clock ms) a deregistered target reports `draining` (default 0: gone at once). */
  drainingMs?: number;
  /** Caps every page below the API's maximum so callers must follow tokens (default: no cap). */
  maxPageSize?: number;
  /** Time for token buckets and draining (default: performance.now). */
  clock?: FakeClock;
  /** Seed for generated ids, so ARNs repeat across runs (default 'aws-fake'). */
  idSeed?: string;
  /**
   * An IAM identity policy (the parsed JSON document) every call is authorized against, as AWS
   * would for a principal holding only it; refused calls throw the service's access-denied error.
   * Without it nothing is refused. Seeds bypass it.
   */
  iamPolicy?: unknown;
}

export interface AwsFake {
  /** Routes every client's `send` into this fake; one installed fake at a time per process. */
  install(): void;
  restore(): void;
  readonly state: StateView;
  readonly seed: Seeds;
  /** Sends one command's input straight into the fake, as `send` does once installed. */
  dispatch(service: ServiceId, action: string, input: unknown): Promise<object>;
  calls(): FakeCall[];
  /** Counts by `service:Action`, e.g. `elbv2:CreateRule`. */
  callCounts(): Record<string, number>;
  /** Every call but Describe*, List* and Get*. */
  mutatingCalls(): FakeCall[];
  resetCalls(): void;
  throttle(options: ThrottleOptions | undefined): void;
  /** After k more mutating calls, every mutating call rejects with FakeCrash and changes nothing. */
  failAfterMutations(k: number | undefined): void;
  /** Enforces AWS's published request-rate buckets on the fake's clock. */
  tokenBuckets(enabled: boolean): void;
  /** Calls the IAM policy refused, since creation or the last resetCalls. */
  deniedCalls(): DeniedCall[];
  /** Every authorization the IAM policy made, allowed or not, since creation or the last resetCalls. */
  authorizations(): FakeAuthorization[];
  /**
   * From now on, calls are made by a principal holding this policy (undefined: nothing is refused):
   * two clusters' controllers in one account, each with its own role.
   */
  useIamPolicy(policy: unknown): void;
  /**
   * Every registered target with this id (an address or instance id), while its group is in use and
   * it is not draining, reports `health` until released with undefined: a Pod that is not answering
   * its health checks yet, or has stopped.
   */
  holdTargetHealth(targetId: string, health: HeldTargetHealth | undefined): void;
}

const HANDLERS: Readonly<Record<ServiceId, Readonly<Record<string, Handler>>>> = {
  elbv2: {
    ...loadBalancerHandlers,
    ...listenerHandlers,
    ...listenerSettingsHandlers,
    ...ruleHandlers,
    ...targetGroupHandlers,
    ...targetHandlers,
    ...elbv2TagHandlers,
  },
  acm: acmHandlers,
  ec2: { ...ec2Handlers, ...securityGroupHandlers, ...securityGroupRuleHandlers },
  tagging: taggingHandlers,
  wafv2: wafv2Handlers,
  shield: shieldHandlers,
  lambda: lambdaHandlers,
};

/** The part of aws-sdk-client-mock's stub the fake uses. */
interface SendStub {
  send: { callsFake(fake: (command: SentCommand) => Promise<never>): unknown };
  restore(): void;
}

interface SentCommand {
  input?: unknown;
  constructor: unknown;
}

interface ServiceClient {
  service: ServiceId;
  mock: () => SendStub;
  /** Command class → action name, from the module's `…Command` exports. */
  actions: Map<unknown, string>;
}

function commandActions(module: Readonly<Record<string, unknown>>): Map<unknown, string> {
  const actions = new Map<unknown, string>();
  for (const [name, value] of Object.entries(module)) {
    if (name.endsWith('Command') && typeof value === 'function') actions.set(value, name.slice(0, -'Command'.length));
  }
  return actions;
}

const SERVICE_CLIENTS: readonly ServiceClient[] = [
  { service: 'elbv2', mock: () => mockClient(elbv2Module.ElasticLoadBalancingV2Client), actions: commandActions(elbv2Module) },
  { service: 'acm', mock: () => mockClient(acmModule.ACMClient), actions: commandActions(acmModule) },
  { service: 'ec2', mock: () => mockClient(ec2Module.EC2Client), actions: commandActions(ec2Module) },
  { service: 'tagging', mock: () => mockClient(taggingModule.ResourceGroupsTaggingAPIClient), actions: commandActions(taggingModule) },
  { service: 'wafv2', mock: () => mockClient(wafv2Module.WAFV2Client), actions: commandActions(wafv2Module) },
  { service: 'shield', mock: () => mockClient(shieldModule.ShieldClient), actions: commandActions(shieldModule) },
  { service: 'lambda', mock: () => mockClient(lambdaModule.LambdaClient), actions: commandActions(lambdaModule) },
];

function actionOf(command: SentCommand, actions: Map<unknown, string>): string {
  const known = actions.get(command.constructor);
  if (known !== undefined) return known;
  const name = typeof command.constructor === 'function' ? command.constructor.name : 'Unknown';
  return name.replace(/Command$/, '');
}

function okMetadata(): { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number } {
  return { httpStatusCode: 200, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
}

export function createAwsFake(options: AwsFakeOptions = {}): AwsFake {
  const clock = options.clock ?? { now: () => performance.now() };
  const state: FakeState = createState({
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    clock,
    idSeed: options.idSeed ?? 'aws-fake',
    limits: {
      rulesPerLoadBalancer: options.rulesPerLoadBalancer ?? 100,
      certificatesPerListener: options.certificatesPerListener ?? 25,
      targetsPerTargetGroup: options.targetsPerTargetGroup ?? 1000,
      targetsHealthyAfterDescribes: options.targetsHealthyAfterDescribes ?? 1,
      drainingMs: options.drainingMs ?? 0,
      maxPageSize: options.maxPageSize,
    },
  });
  const log = new CallLog();
  const faults = new FaultInjector();
  const buckets = new TokenBuckets(clock);
  const iamLog = new IamLog();
  const enforcerFor = (policy: unknown) => (policy === undefined ? undefined : createIamEnforcer({ state, policy: parseIamPolicy(policy), log: iamLog }));
  let authorize = enforcerFor(options.iamPolicy);
  let restorers: (() => void)[] = [];

  function answer(service: ServiceId, action: string, rawInput: unknown): object {
    const input: unknown = structuredClone(rawInput ?? {});
    const call = log.record(service, action, input);
    try {
      const run = HANDLERS[service][action];
      if (run === undefined) throw unsupportedAction(service, action);
      authorize?.(service, action, input);
      if (!buckets.tryTake(service, action) || faults.shouldThrottle()) throw throttlingError(service);
      if (isMutating(action) && faults.shouldCrash()) throw new FakeCrash(service, action);
      return { ...structuredClone(run(state, input)), $metadata: okMetadata() };
    } catch (error) {
      call.error = error instanceof Error ? error.name : String(error);
      throw error;
    }
  }

  /** Answers like the SDK's `send`: a thrown error rejects the promise rather than escaping the call. */
  function dispatch(service: ServiceId, action: string, rawInput: unknown): Promise<object> {
    return new Promise((resolve) => {
      resolve(answer(service, action, rawInput));
    });
  }

  return {
    install() {
      if (restorers.length > 0) return;
      for (const { service, mock, actions } of SERVICE_CLIENTS) {
        const stub = mock();
        // The SDK types `send` per client; the fake answers every client's commands alike.
        stub.send.callsFake((command) => dispatch(service, actionOf(command, actions), command.input) as Promise<never>);
        restorers.push(() => stub.restore());
      }
    },
    restore() {
      for (const restore of restorers) restore();
      restorers = [];
    },
    state: createStateView(state),
    seed: createSeeds(state),
    dispatch,
    calls: () => log.all(),
    callCounts: () => log.counts(),
    mutatingCalls: () => log.mutating(),
    resetCalls: () => {
      log.reset();
      iamLog.reset();
    },
    throttle: (throttleOptions) => faults.throttle(throttleOptions),
    failAfterMutations: (k) => faults.failAfterMutations(k),
    tokenBuckets: (enabled) => buckets.setEnabled(enabled),
    deniedCalls: () => iamLog.denied(),
    authorizations: () => iamLog.all(),
    useIamPolicy: (policy) => {
      authorize = enforcerFor(policy);
    },
    holdTargetHealth: (targetId, health) => {
      if (health === undefined) state.heldHealth.delete(targetId);
      else state.heldHealth.set(targetId, health);
    },
  };
}
