/** Small pure helpers the components share for container inputs. */
import * as pulumi from "@pulumi/pulumi";
import type { ContainerEnv } from "../runtimes/types";

/** Labels on every resource the fleet creates, so `docker ps --filter` finds them. */
export function fleetLabels(fleet: string, role: string, version: string) {
  return [
    { label: "dev.clawlab.fleet", value: fleet },
    { label: "dev.clawlab.role", value: role },
    { label: "dev.clawlab.version", value: version },
    { label: "dev.clawlab.managed-by", value: "pulumi" },
  ];
}

/**
 * A translated env as the Container's `envs`: `NAME=value`, sorted by name so that the
 * same config always yields the same list (no phantom diffs). The result is secret as
 * soon as any value is, and a value is never read outside an apply.
 */
export function containerEnvs(env: ContainerEnv<pulumi.Output<string>>): pulumi.Output<string[]> {
  const names = Object.keys(env).sort();
  const values = names.map((name) => {
    const value = env[name]!;
    const parts = Array.isArray(value) ? value : [value];
    return pulumi.all(parts as (string | pulumi.Output<string>)[]).apply((p) => `${name}=${p.join("")}`);
  });
  return pulumi.all(values);
}
