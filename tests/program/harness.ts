/**
 * Evaluates the real Pulumi program (`index.ts`) under Pulumi's mocks and records every
 * resource it registers, with the inputs as the engine would receive them (secrets stay
 * wrapped as secrets). Used by the program tests and the benchmark.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

/** One registered resource. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  /** The provider reference (`urn::id`), for resources with an explicit provider. */
  readonly provider?: string;
}

/** What one evaluation produced. */
export interface Evaluation {
  readonly resources: Recorded[];
  /** The program's exports, resolved (secret values included, unwrapped). */
  readonly outputs: Record<string, any>;
  /** Which exports were secret. */
  readonly secretOutputs: Set<string>;
}

/** Pulumi's marker for a secret value in serialized inputs. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** True for a serialized secret wrapper. */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Removes secret wrappers, for assertions on the plain shape. */
export function unwrap(value: any): any {
  if (isSecretValue(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

/** Every plain (non-secret) string anywhere in a value, with its path. */
export function plainStrings(value: unknown, path = ""): { path: string; value: string }[] {
  if (isSecretValue(value)) return [];
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => plainStrings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** The state a provider would return for a resource: deterministic stand-ins for computed outputs. */
function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  const plain = unwrap(inputs);
  switch (type) {
    case "docker-build:index:Image": {
      const digest = `sha256:${sha(JSON.stringify([name, plain.buildArgs, plain.tags]))}`;
      return { ...inputs, digest, ref: `${String(plain.tags?.[0]).replace(/:[^:/]+$/, "")}@${digest}` };
    }
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${sha(`image-id:${plain.name}`)}`, repoDigest: plain.name };
    case "command:local:Command":
      // The firmware build prints its image manifest (firmware/mimiclaw/build.ts); other commands print nothing we read.
      if (!name.endsWith("-build")) return { ...inputs, stdout: "" };
      return {
        ...inputs,
        stdout: JSON.stringify({
          images: Object.fromEntries(
            ["bootloader", "partitionTable", "otaData", "app"].map((role) => [role, { file: `${role}.bin`, sha256: sha(`${name}:${role}`), size: 1024 }]),
          ),
        }),
      };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `generated-${sha(name).slice(0, plain.length - 10)}`.slice(0, plain.length) };
    default:
      return inputs;
  }
}

/** Resolves any output-ish value. */
function settle<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

/**
 * Runs the program once under mocks.
 * @param config the stack config, `clawlab:key` → value
 * @param secretKeys which of those keys are secret
 * @param importProgram imports `index.ts` afresh (the caller resets the module cache)
 * @param resources where registrations are recorded (pass one in to see them even when the program throws)
 */
export async function evaluate(
  config: Record<string, string>,
  secretKeys: string[],
  importProgram: () => Promise<Record<string, any>>,
  resources: Recorded[] = [],
): Promise<Evaluation> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
      },
      call: (args) => args.inputs,
    },
    "clawlab",
    "dev",
    false,
  );
  pulumi.runtime.setAllConfig(config, secretKeys);
  const program = await importProgram();
  const outputs: Record<string, any> = {};
  const secretOutputs = new Set<string>();
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = await settle(value);
    if (await (pulumi.output(value) as any).isSecret) secretOutputs.add(key);
  }
  // Let the remaining registrations (resources no export depends on) finish.
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { resources, outputs, secretOutputs };
}

/**
 * Every value the stack generated in an evaluation: RandomPassword results (the mocks make
 * them `generated-…`) and the tokens derived from the fleet's seed (read from the secret
 * `tokens` output), so a test can tell a generated value wherever it lands.
 */
export function generatedMarkers(result: Evaluation): string[] {
  const tokens = Object.values((result.outputs.tokens ?? {}) as Record<string, Record<string, string>>).flatMap((t) => Object.values(t));
  return ["generated-", ...tokens];
}

/** The secret config values the example config references, as a stack would hold them. */
export const EXAMPLE_SECRETS: Record<string, string> = {
  "clawlab:anthropicApiKey": "sk-ant-SECRET-anthropic-0001",
  "clawlab:openaiApiKey": "sk-SECRET-openai-0002",
  "clawlab:telegramBotToken": "123:SECRET-telegram-0003",
  "clawlab:opsTelegramBotToken": "456:SECRET-telegram-0004",
  "clawlab:discordBotToken": "SECRET-discord-0005",
  "clawlab:onecliApiKey": "SECRET-onecli-0006",
};
