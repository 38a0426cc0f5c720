/**
 * The AWS provider: Application Load Balancers (ELBv2), certificates in ACM, security groups and
 * subnets from EC2. Today it renders plans in the ELBv2 API's shape.
 * @module
 */
export { renderElbv2PlanDocument as renderPlan } from './plan-json.js';
