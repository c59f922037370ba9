/**
 * A checked runtime → the canonical half of its translator's input, with secrets of any
 * type `S` (secret Outputs in the program, stand-ins in the CLI). The other half —
 * generated tokens and IronClaw's sidecar URL — comes from resources the components own.
 * Pure and free of Pulumi, so the CLI can use it without loading the SDK.
 */
import type { TranslateInput } from "../../runtimes/types";
import type { SecretRef } from "./schema";
import type { RuntimeSpec } from "./validate";

/** What a runtime's settings hold, before the components add generated secrets and the database. */
export type RuntimeSettings<S> = Omit<TranslateInput<S>, "generated" | "database">;

/**
 * @param secret resolves a `{ secret }`/`{ env }` reference, given the config path that holds it
 */
export function runtimeSettings<S>(runtime: RuntimeSpec, secret: (path: string, ref: SecretRef) => S): RuntimeSettings<S> {
  const { provider } = runtime;
  return {
    provider: {
      name: provider.name,
      type: provider.type,
      apiKey: provider.api_key && secret(`providers.${provider.name}.api_key`, provider.api_key),
      baseUrl: provider.base_url,
    },
    model: runtime.model,
    channels: runtime.channels.map((channel) => ({
      name: channel.name,
      type: channel.type,
      botToken: secret(`channels.${channel.name}.bot_token`, channel.bot_token),
      appToken: channel.type === "slack" ? secret(`channels.${channel.name}.app_token`, channel.app_token) : undefined,
      allowedUsers: channel.allowed_users,
      guildIds: channel.type === "discord" ? channel.guild_ids : [],
    })),
    dockerHost: runtime.dockerSocket ? "unix:///var/run/docker.sock" : runtime.agentDockerHost,
    onecli: runtime.onecli && {
      url: runtime.onecli.url,
      apiKey: runtime.onecli.apiKey && secret(`runtimes.${runtime.name}.onecli_api_key`, runtime.onecli.apiKey),
    },
  };
}
