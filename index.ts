/**
 * ClawLab Fleet: stack config → canonical config → Fleet.
 * Everything is checked (schema, references, secrets, stack settings) before the first
 * resource is registered, so a bad config deploys nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { ConfigError, loadCanonical, pulumiSecretSource, resolveSecrets } from "./components/config";
import { parseStackSettings } from "./components/config/stack";
import { Fleet, type RegistryTarget } from "./components/fleet";

function plan() {
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const configFile = all[`${project}:configFile`] ?? "clawlab.toml";
  const file = loadCanonical(path.resolve(__dirname, configFile));
  const stack = parseStackSettings(all, project, file.secretConfigKeys);
  for (const host of Object.keys(stack.hosts)) {
    if (!file.hosts[host]) throw new ConfigError("stack config", [{ path: `${project}:hosts.${host}`, message: `no host "${host}" in ${configFile}` }]);
  }
  // An override replaces the whole entry: the file's socket group belongs to the engine it named.
  const hostOverrides = Object.fromEntries(
    Object.entries(stack.hosts).map(([host, target]) => [host, typeof target === "string" ? { dockerHost: target } : target]),
  );
  const spec = { ...file, hosts: { ...file.hosts, ...hostOverrides } };
  const secrets = resolveSecrets(spec, pulumiSecretSource(), project, configFile);
  if (stack.localRegistry) {
    const remote = Object.entries(spec.hosts).filter(([, h]) => !h.dockerHost.startsWith("unix://"));
    if (remote.length > 0) {
      throw new ConfigError("stack config", [
        { path: `${project}:localRegistry`, message: `a loopback registry cannot serve remote hosts (${remote.map(([n]) => n).join(", ")}); push to a real registry instead` },
      ]);
    }
  }
  const registry: RegistryTarget = stack.localRegistry
    ? { kind: "local", port: stack.localRegistryPort }
    : {
        kind: "remote",
        registry: stack.registry ?? spec.registry,
        username: stack.registryUsername,
        password: stack.registryPassword === undefined ? undefined : pulumi.secret(stack.registryPassword),
      };
  return new Fleet(spec.name, { spec, secrets, registry, buildCache: stack.buildCache, platforms: stack.platforms, buildArgs: stack.buildArgs });
}

let fleet: Fleet;
try {
  fleet = plan();
} catch (error) {
  // A config problem is the user's to fix: print the list of problems, not a stack trace.
  if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
  throw error;
}

/** Per runtime: image ref with digest, container name, URL, health URL. */
export const runtimes = fleet.runtimes;
/** Per MimiClaw device: broker and bridge containers, bridge health URL, MQTT topics. */
export const devices = fleet.devices;
/** Generated client tokens per runtime; read with `pulumi stack output --show-secrets tokens`. */
export const tokens = pulumi.secret(fleet.tokens);
/** Where the images were pushed. */
export const registry = fleet.registry;
