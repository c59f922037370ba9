/**
 * Runs one policy of the pack (policy/) on one resource the way @pulumi/policy's analyzer
 * does, without the Pulumi CLI: the resource's inputs in the engine's wire form (secrets as
 * signature objects, unknowns as sentinels) go through @pulumi/policy's own deserializer —
 * secrets unwrapped for a validation, kept as `Secret` for a remediation — and its
 * unknown-checking proxy; a policy at level "remediate" is remediated before it is validated,
 * as the engine does per resource. tests/policy/pack.test.ts checks this model against the
 * real analyzer server.
 */
import {
  type EnforcementLevel,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import * as policyDeserialize from "@pulumi/policy/deserialize";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** A resource as the engine sends it to a policy pack (and as tests/program/harness.ts records it). */
export interface WireResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** What a policy said about one resource. */
export interface Outcome {
  /** Violations that block a deployment. */
  readonly mandatory: string[];
  /** Advisory violations, and "can't run during preview" notes for unknown values. */
  readonly advisory: string[];
  /** Why the policy does not apply, when it does not. */
  readonly notApplicable: string[];
}

/** A value as the engine sends a Pulumi secret. */
export const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
/** A value the engine does not know yet (a preview). */
export const UNKNOWN = unknownValue;

/** @pulumi/policy's deserializer (internal; the analyzer passes proxySecrets false, a remediation true). */
const { deserializeProperties } = policyDeserialize as unknown as {
  deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, unknown>;
};

class NotApplicable extends Error {}

/** The args @pulumi/policy's server builds for a resource (server.js, makeAnalyzeRpcFun). */
function policyArgs(resource: WireResource, proxySecrets: boolean, config: object): ResourceValidationArgs {
  // The wire is a protobuf Struct: JSON, no `undefined` anywhere.
  const wire = JSON.parse(JSON.stringify(resource.inputs));
  const props = unknownCheckingProxy(deserializeProperties({ toJavaScript: () => wire }, proxySecrets));
  const isType = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === resource.type;
  return {
    type: resource.type,
    props,
    urn: `urn:pulumi:dev::clawlab::${resource.type}::${resource.name}`,
    name: resource.name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType,
    asType: ((cls: unknown) => (isType(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason ?? "Policy does not apply");
    },
  };
}

/**
 * Runs a policy on a resource.
 * @param options.level the enforcement level the pack's config sets; default the policy's own
 * @param options.config the policy's config properties
 */
export async function check(
  policy: ResourceValidationPolicy,
  resource: WireResource,
  options: { level?: EnforcementLevel; config?: object } = {},
): Promise<Outcome> {
  const level = options.level ?? policy.enforcementLevel ?? "mandatory";
  const outcome: Outcome = { mandatory: [], advisory: [], notApplicable: [] };
  const run = async (call: (args: ResourceValidationArgs) => unknown, proxySecrets: boolean) => {
    try {
      await call(policyArgs(resource, proxySecrets, options.config ?? {}));
    } catch (error) {
      // As the server does: an unknown is an advisory note, a NotApplicable a skip.
      if (error instanceof UnknownValueError) outcome.advisory.push(`can't run during preview: ${(error as Error).message}`);
      else if (error instanceof NotApplicable) outcome.notApplicable.push(error.message);
      else throw error;
    }
  };
  if (level === "disabled") return outcome;
  if (level === "remediate" && policy.remediateResource) await run((args) => policy.remediateResource!(args), true);
  // @pulumi/policy reports a validation of a "remediate" policy as mandatory.
  const reported = level === "advisory" ? outcome.advisory : outcome.mandatory;
  for (const validate of [policy.validateResource ?? []].flat()) {
    await run((args) => validate(args, (message) => reported.push(message)), false);
  }
  return outcome;
}
