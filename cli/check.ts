/**
 * `clawlab check`: the checked config as a readable summary — the runtimes, the devices,
 * and the secret references a stack must provide. Secrets are listed, never resolved, so
 * this works without a Pulumi stack.
 */
import type { SecretRef } from "../components/config/schema";
import type { FleetSpec, RuntimeSpec } from "../components/config/validate";
import { count, table, visible } from "./text";

/** The summary text of a checked fleet. */
export function renderSummary(spec: FleetSpec, configFile: string): string {
  const out: string[] = [`Fleet ${spec.name} (${visible(configFile)}): images from ${spec.registry}`, ""];
  const dockerHost = (host: string) => visible(spec.hosts[host]?.dockerHost ?? "?");

  if (spec.runtimes.length === 0) out.push("No runtime is enabled.");
  else {
    const rows = spec.runtimes.map((r) => [
      r.name,
      r.version,
      `${spec.registry}/${r.name}:${r.version}`,
      `${r.host}:${r.port}`,
      dockerHost(r.host),
      r.channels.map((c) => `${c.name} (${c.type})`).join(", ") || "-",
      `${r.provider.name} (${r.provider.type})`,
      visible(r.model),
      notes(r),
    ]);
    out.push(...table(["RUNTIME", "VERSION", "IMAGE", "HOST:PORT", "DOCKER HOST", "CHANNELS", "PROVIDER", "MODEL", "NOTES"], rows));
  }

  if (spec.devices.length > 0) {
    const rows = spec.devices.map((d) => [
      d.name,
      d.type,
      d.firmware_version,
      visible(d.serial_port),
      visible(d.address),
      `${d.host} (${dockerHost(d.host)})`,
      d.channel ? `${d.channel.name} (${d.channel.type})` : "-",
      `${d.provider.name} (${d.provider.type})`,
      visible(d.model),
    ]);
    out.push("", ...table(["DEVICE", "TYPE", "FIRMWARE", "SERIAL PORT", "ADDRESS", "BROKER HOST", "CHANNEL", "PROVIDER", "MODEL"], rows));
  }

  const secrets = groupSecrets(spec.secretRefs);
  if (secrets.length > 0) {
    out.push("", "Secrets the stack reads at deploy time (not resolved by check):");
    const rows = secrets.map((s) => [s.name, s.from, s.paths.join(", ")]);
    out.push(...table(["SECRET", "FROM", "USED BY"], rows).map((line) => `  ${line}`));
    if (secrets.some((s) => s.from === "pulumi config")) out.push("  pulumi config: set each with `pulumi config set --secret <SECRET>` (it prompts, or reads the value from stdin: keep secrets off the command line)");
    if (secrets.some((s) => s.from === "environment")) out.push("  environment: export each (non-empty) before `pulumi up`");
  }

  const hosts = new Set([...spec.runtimes.map((r) => r.host), ...spec.devices.map((d) => d.host)]);
  out.push(
    "",
    `${spec.name}: ${count(spec.runtimes.length, "runtime")}, ${count(spec.devices.length, "device")}, ${count(hosts.size, "host")}; ` +
      `${count(secrets.length, "secret")} to provide`,
  );
  return `${out.join("\n")}\n`;
}

/** What a runtime brings beyond its container. */
function notes(runtime: RuntimeSpec): string {
  const notes: string[] = [];
  if (runtime.name === "ironclaw") notes.push(runtime.databaseUrl ? "external PostgreSQL" : "PostgreSQL sidecar");
  if (runtime.dockerSocket) notes.push("host Docker socket (root on the host)");
  if (runtime.agentDockerHost) notes.push(`agents on ${visible(runtime.agentDockerHost)}`);
  if (runtime.memoryMiB !== runtime.declaration.memoryMiB) notes.push(`${runtime.memoryMiB} MiB`);
  return notes.join("; ");
}

/** One secret a stack must provide, with every config path that uses it. */
interface NeededSecret {
  readonly name: string;
  readonly from: "pulumi config" | "environment";
  readonly paths: string[];
}

/** The references grouped by what they name (one Pulumi key may serve several paths). */
function groupSecrets(refs: FleetSpec["secretRefs"]): NeededSecret[] {
  const byName = new Map<string, NeededSecret>();
  for (const { path, ref } of refs) {
    const { name, from } = identify(ref);
    const key = `${from}\0${name}`;
    const entry = byName.get(key) ?? { name, from, paths: [] };
    entry.paths.push(path);
    byName.set(key, entry);
  }
  return [...byName.values()];
}

function identify(ref: SecretRef): Pick<NeededSecret, "name" | "from"> {
  return "secret" in ref ? { name: ref.secret, from: "pulumi config" } : { name: ref.env, from: "environment" };
}
