/**
 * The SDK command for each service and action a plan may name. A plan is data; this table is the
 * only place that turns an operation into a call, so it is also the complete list of API actions the
 * provider's applies can make (docs/aws.md lists them for the IAM policy).
 * @module
 */
import type {
  AddTagsToCertificateCommandInput,
  DeleteCertificateCommandInput,
  ImportCertificateCommandInput,
  RemoveTagsFromCertificateCommandInput,
} from '@aws-sdk/client-acm';
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  CreateSecurityGroupCommandInput,
  CreateTagsCommandInput,
  DeleteSecurityGroupCommandInput,
  DeleteTagsCommandInput,
  RevokeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import {
  AddListenerCertificatesCommand,
  type AddListenerCertificatesCommandInput,
  AddTagsCommand,
  type AddTagsCommandInput,
  CreateListenerCommand,
  type CreateListenerCommandInput,
  CreateLoadBalancerCommand,
  type CreateLoadBalancerCommandInput,
  CreateRuleCommand,
  type CreateRuleCommandInput,
  CreateTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  DeleteListenerCommand,
  type DeleteListenerCommandInput,
  DeleteLoadBalancerCommand,
  type DeleteLoadBalancerCommandInput,
  DeleteRuleCommand,
  type DeleteRuleCommandInput,
  DeleteTargetGroupCommand,
  type DeleteTargetGroupCommandInput,
  DeregisterTargetsCommand,
  type DeregisterTargetsCommandInput,
  ModifyListenerAttributesCommand,
  type ModifyListenerAttributesCommandInput,
  ModifyListenerCommand,
  type ModifyListenerCommandInput,
  ModifyLoadBalancerAttributesCommand,
  type ModifyLoadBalancerAttributesCommandInput,
  ModifyRuleCommand,
  type ModifyRuleCommandInput,
  ModifyTargetGroupAttributesCommand,
  type ModifyTargetGroupAttributesCommandInput,
  ModifyTargetGroupCommand,
  type ModifyTargetGroupCommandInput,
  RegisterTargetsCommand,
  type RegisterTargetsCommandInput,
  RemoveListenerCertificatesCommand,
  type RemoveListenerCertificatesCommandInput,
  RemoveTagsCommand,
  type RemoveTagsCommandInput,
  SetIpAddressTypeCommand,
  type SetIpAddressTypeCommandInput,
  SetRulePrioritiesCommand,
  type SetRulePrioritiesCommandInput,
  SetSecurityGroupsCommand,
  type SetSecurityGroupsCommandInput,
  SetSubnetsCommand,
  type SetSubnetsCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AddPermissionCommandInput, RemovePermissionCommandInput } from '@aws-sdk/client-lambda';
import type { CreateProtectionCommandInput, DeleteProtectionCommandInput } from '@aws-sdk/client-shield';
import type { AssociateWebACLCommandInput, DisassociateWebACLCommandInput } from '@aws-sdk/client-wafv2';
import { forgetProtections } from '../observe/addons.js';
import type { AwsClients } from '../sdk/clients.js';
import type { AwsService } from '../plan/operations.js';
import { ec2Sdk } from '../sdk/ec2.js';

const {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  RevokeSecurityGroupIngressCommand,
} = ec2Sdk;

/** A plan's input, placeholders resolved; the table entry gives it its SDK type. */
export type CommandInput = Record<string, unknown>;
type Send = (clients: AwsClients, input: CommandInput) => Promise<object>;

/** The plan's input is built from the SDK's own shapes (elbv2-shapes.ts), so the cast names what it already is. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the SDK input type each table entry names at the call
function as<T>(input: CommandInput): T {
  return input as T;
}

const ELBV2: Readonly<Record<string, Send>> = {
  CreateTargetGroup: (c, i) => c.elbv2.send(new CreateTargetGroupCommand(as<CreateTargetGroupCommandInput>(i))),
  ModifyTargetGroup: (c, i) => c.elbv2.send(new ModifyTargetGroupCommand(as<ModifyTargetGroupCommandInput>(i))),
  ModifyTargetGroupAttributes: (c, i) => c.elbv2.send(new ModifyTargetGroupAttributesCommand(as<ModifyTargetGroupAttributesCommandInput>(i))),
  DeleteTargetGroup: (c, i) => c.elbv2.send(new DeleteTargetGroupCommand(as<DeleteTargetGroupCommandInput>(i))),
  RegisterTargets: (c, i) => c.elbv2.send(new RegisterTargetsCommand(as<RegisterTargetsCommandInput>(i))),
  DeregisterTargets: (c, i) => c.elbv2.send(new DeregisterTargetsCommand(as<DeregisterTargetsCommandInput>(i))),
  CreateLoadBalancer: (c, i) => c.elbv2.send(new CreateLoadBalancerCommand(as<CreateLoadBalancerCommandInput>(i))),
  ModifyLoadBalancerAttributes: (c, i) => c.elbv2.send(new ModifyLoadBalancerAttributesCommand(as<ModifyLoadBalancerAttributesCommandInput>(i))),
  SetSecurityGroups: (c, i) => c.elbv2.send(new SetSecurityGroupsCommand(as<SetSecurityGroupsCommandInput>(i))),
  SetSubnets: (c, i) => c.elbv2.send(new SetSubnetsCommand(as<SetSubnetsCommandInput>(i))),
  SetIpAddressType: (c, i) => c.elbv2.send(new SetIpAddressTypeCommand(as<SetIpAddressTypeCommandInput>(i))),
  DeleteLoadBalancer: (c, i) => c.elbv2.send(new DeleteLoadBalancerCommand(as<DeleteLoadBalancerCommandInput>(i))),
  CreateListener: (c, i) => c.elbv2.send(new CreateListenerCommand(as<CreateListenerCommandInput>(i))),
  ModifyListener: (c, i) => c.elbv2.send(new ModifyListenerCommand(as<ModifyListenerCommandInput>(i))),
  ModifyListenerAttributes: (c, i) => c.elbv2.send(new ModifyListenerAttributesCommand(as<ModifyListenerAttributesCommandInput>(i))),
  DeleteListener: (c, i) => c.elbv2.send(new DeleteListenerCommand(as<DeleteListenerCommandInput>(i))),
  AddListenerCertificates: (c, i) => c.elbv2.send(new AddListenerCertificatesCommand(as<AddListenerCertificatesCommandInput>(i))),
  RemoveListenerCertificates: (c, i) => c.elbv2.send(new RemoveListenerCertificatesCommand(as<RemoveListenerCertificatesCommandInput>(i))),
  CreateRule: (c, i) => c.elbv2.send(new CreateRuleCommand(as<CreateRuleCommandInput>(i))),
  ModifyRule: (c, i) => c.elbv2.send(new ModifyRuleCommand(as<ModifyRuleCommandInput>(i))),
  SetRulePriorities: (c, i) => c.elbv2.send(new SetRulePrioritiesCommand(as<SetRulePrioritiesCommandInput>(i))),
  DeleteRule: (c, i) => c.elbv2.send(new DeleteRuleCommand(as<DeleteRuleCommandInput>(i))),
  AddTags: (c, i) => c.elbv2.send(new AddTagsCommand(as<AddTagsCommandInput>(i))),
  RemoveTags: (c, i) => c.elbv2.send(new RemoveTagsCommand(as<RemoveTagsCommandInput>(i))),
};

// ACM, WAFv2, Shield and Lambda clients are lazy (sdk/clients.ts): their commands come with them.
const ACM: Readonly<Record<string, Send>> = {
  ImportCertificate: async (c, i) => {
    const { client, sdk } = await c.acm.load();
    return client.send(new sdk.ImportCertificateCommand(as<ImportCertificateCommandInput>(i)));
  },
  AddTagsToCertificate: async (c, i) => {
    const { client, sdk } = await c.acm.load();
    return client.send(new sdk.AddTagsToCertificateCommand(as<AddTagsToCertificateCommandInput>(i)));
  },
  RemoveTagsFromCertificate: async (c, i) => {
    const { client, sdk } = await c.acm.load();
    return client.send(new sdk.RemoveTagsFromCertificateCommand(as<RemoveTagsFromCertificateCommandInput>(i)));
  },
  DeleteCertificate: async (c, i) => {
    const { client, sdk } = await c.acm.load();
    return client.send(new sdk.DeleteCertificateCommand(as<DeleteCertificateCommandInput>(i)));
  },
};

const EC2: Readonly<Record<string, Send>> = {
  CreateSecurityGroup: (c, i) => c.ec2.send(new CreateSecurityGroupCommand(as<CreateSecurityGroupCommandInput>(i))),
  AuthorizeSecurityGroupIngress: (c, i) => c.ec2.send(new AuthorizeSecurityGroupIngressCommand(as<AuthorizeSecurityGroupIngressCommandInput>(i))),
  RevokeSecurityGroupIngress: (c, i) => c.ec2.send(new RevokeSecurityGroupIngressCommand(as<RevokeSecurityGroupIngressCommandInput>(i))),
  CreateTags: (c, i) => c.ec2.send(new CreateTagsCommand(as<CreateTagsCommandInput>(i))),
  DeleteTags: (c, i) => c.ec2.send(new DeleteTagsCommand(as<DeleteTagsCommandInput>(i))),
  DeleteSecurityGroup: (c, i) => c.ec2.send(new DeleteSecurityGroupCommand(as<DeleteSecurityGroupCommandInput>(i))),
};

const WAFV2: Readonly<Record<string, Send>> = {
  AssociateWebACL: async (c, i) => {
    const { client, sdk } = await c.wafv2.load();
    return client.send(new sdk.AssociateWebACLCommand(as<AssociateWebACLCommandInput>(i)));
  },
  DisassociateWebACL: async (c, i) => {
    const { client, sdk } = await c.wafv2.load();
    return client.send(new sdk.DisassociateWebACLCommand(as<DisassociateWebACLCommandInput>(i)));
  },
};

/** Observe reads protections from a cached listing (observe/addons.ts): a change of ours, or an attempt, makes it stale. */
function changingProtections(send: Send): Send {
  return async (clients, input) => {
    try {
      return await send(clients, input);
    } finally {
      forgetProtections(clients);
    }
  };
}

const SHIELD: Readonly<Record<string, Send>> = {
  CreateProtection: changingProtections(async (c, i) => {
    const { client, sdk } = await c.shield.load();
    return client.send(new sdk.CreateProtectionCommand(as<CreateProtectionCommandInput>(i)));
  }),
  DeleteProtection: changingProtections(async (c, i) => {
    const { client, sdk } = await c.shield.load();
    return client.send(new sdk.DeleteProtectionCommand(as<DeleteProtectionCommandInput>(i)));
  }),
};

/** Our statements in the policies of function target groups' functions. */
const LAMBDA: Readonly<Record<string, Send>> = {
  AddPermission: async (c, i) => {
    const { client, sdk } = await c.lambda.load();
    return client.send(new sdk.AddPermissionCommand(as<AddPermissionCommandInput>(i)));
  },
  RemovePermission: async (c, i) => {
    const { client, sdk } = await c.lambda.load();
    return client.send(new sdk.RemovePermissionCommand(as<RemovePermissionCommandInput>(i)));
  },
};

const COMMANDS: Readonly<Record<AwsService, Readonly<Record<string, Send>>>> = {
  elbv2: ELBV2,
  acm: ACM,
  ec2: EC2,
  tagging: {},
  wafv2: WAFV2,
  shield: SHIELD,
  lambda: LAMBDA,
};

/** Every action an apply can call, by service: the mutating half of the IAM policy. */
export function plannableActions(): Record<AwsService, string[]> {
  return {
    elbv2: Object.keys(ELBV2),
    acm: Object.keys(ACM),
    ec2: Object.keys(EC2),
    tagging: [],
    wafv2: Object.keys(WAFV2),
    shield: Object.keys(SHIELD),
    lambda: Object.keys(LAMBDA),
  };
}

class UnknownActionError extends Error {
  override readonly name = 'UnknownActionError';
}

export function sendOperation(clients: AwsClients, service: AwsService, action: string, input: CommandInput): Promise<object> {
  const send = COMMANDS[service][action];
  if (!send) throw new UnknownActionError(`the plan names ${service}:${action}, which the AWS provider cannot call`);
  return send(clients, input);
}
