/**
 * The EC2 SDK package, loaded with `require`. When an ES module imports a CommonJS package, Node's
 * loader reads the package's source to find its exports and keeps that copy for the life of the
 * process, beside the one the compiled code holds; a `require` keeps one. EC2's build is a single
 * 2 MiB file, by far the largest the provider loads, so every value the provider takes from
 * @aws-sdk/client-ec2 comes from here (types are imported as types, which load nothing). An ES import
 * elsewhere (the tests' fakes) gets this same module: Node shares one instance between the two.
 * @module
 */
import { createRequire } from 'node:module';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';

export const ec2Sdk = createRequire(import.meta.url)('@aws-sdk/client-ec2') as typeof Ec2Sdk;
