import type { ContainerEnv, TranslateInput } from "../types";
import { alias } from "../translate-helpers";

/** The one agent the fleet configures; `default` is reserved upstream. */
const AGENT = "main";

/** Canonical → ZeroClaw's native `ZEROCLAW_<path>` overrides (never written to disk by ZeroClaw). */
export function translateZeroclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const family = input.provider.type;
  const provider = `ZEROCLAW_providers__models__${family}__${alias(input.provider.name)}`;
  const env: ContainerEnv<S> = {
    ZEROCLAW_gateway__require_pairing: "true",
    ZEROCLAW_gateway__paired_tokens: ["zc_", input.generated.gatewayToken!],
    [`${provider}__model`]: input.model,
    [`ZEROCLAW_agents__${AGENT}__model_provider`]: `${family}.${alias(input.provider.name)}`,
    [`ZEROCLAW_agents__${AGENT}__risk_profile`]: "default",
  };
  if (input.channels.length > 0) {
    env[`ZEROCLAW_agents__${AGENT}__channels`] = input.channels.map((c) => `${c.type}.${alias(c.name)}`).join(",");
  }
  if (input.provider.apiKey !== undefined) env[`${provider}__api_key`] = input.provider.apiKey;
  if (input.provider.baseUrl !== undefined) env[`${provider}__uri`] = input.provider.baseUrl;
  for (const channel of input.channels) {
    const at = `ZEROCLAW_channels__${channel.type}__${alias(channel.name)}`;
    env[`${at}__enabled`] = "true";
    env[`${at}__bot_token`] = channel.botToken;
    if (channel.appToken !== undefined) env[`${at}__app_token`] = channel.appToken;
    if (channel.guildIds.length > 0) env[`${at}__guild_ids`] = channel.guildIds.join(",");
    if (channel.allowedUsers.length > 0) {
      const group = `ZEROCLAW_peer_groups__${alias(channel.name)}`;
      env[`${group}__channel`] = `${channel.type}.${alias(channel.name)}`;
      env[`${group}__agents`] = AGENT;
      env[`${group}__external_peers`] = channel.allowedUsers.join(",");
    }
  }
  return env;
}
