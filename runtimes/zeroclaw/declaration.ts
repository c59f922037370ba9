import type { RuntimeDeclaration } from "../types";

/**
 * ZeroClaw (Rust). Configured through its native `ZEROCLAW_<path>` overrides, which it
 * never writes to disk; the baked config.toml only pins the schema and the gateway.
 * Upstream facts: map-keyed tables (providers, agents, channels, peer_groups) are created
 * by an override; list values are JSON or comma-separated; channels default to disabled;
 * allow-lists live in `[peer_groups.*]`; paired tokens are stored as SHA-256 (a
 * non-hex plaintext token is hashed on load). An agent's `risk_profile` must name a
 * `[risk_profiles.<alias>]` table, which a V3 config does not get by default (the seed
 * holds `default`): without it the daemon and /health stay up but no channel starts.
 */
export const zeroclaw: RuntimeDeclaration = {
  name: "zeroclaw",
  title: "ZeroClaw",
  upstream: "https://github.com/zeroclaw-labs/zeroclaw",
  defaultVersion: "v0.8.4",
  defaultRevision: "a56c345d51dd8ab562e9351e0d4ab83f6a741db9",
  port: 42617,
  user: { name: "zeroclaw", uid: 10001 },
  stateDir: "/var/lib/zeroclaw",
  workspaceDir: "/var/lib/zeroclaw/agents",
  config: { format: "toml", baked: "config.toml", path: "/var/lib/zeroclaw/config.toml", seedOnly: true },
  health: { kind: "http", path: "/health", bodyContains: '"status":"ok"', startPeriodSeconds: 20 },
  readOnlyRootFilesystem: true,
  memoryMiB: 512,
  providers: ["anthropic", "openai", "openrouter", "gemini", "ollama", "custom"],
  channels: ["telegram", "discord", "slack"],
  emptyAllowListIsOpen: false,
  generatedSecrets: [
    { name: "gatewayToken", length: 48, doc: "bearer token for the gateway API: Authorization: Bearer zc_<token>" },
  ],
  env: [
    { name: "ZEROCLAW_gateway__port", type: "port", target: "env", default: "42617", doc: "gateway port inside the container" },
    { name: "ZEROCLAW_gateway__require_pairing", type: "bool", target: "env", default: "true", doc: "require a paired bearer token for the API" },
    { name: "ZEROCLAW_gateway__paired_tokens", type: "list", secret: true, target: "env", doc: "pre-paired bearer tokens (plaintext, hashed by ZeroClaw on load)" },
    { name: "ZEROCLAW_providers__models__*__api_key", type: "string", secret: true, target: "env", doc: "API key of provider <family>.<alias>" },
    { name: "ZEROCLAW_providers__models__*__model", type: "string", target: "env", doc: "model of provider <family>.<alias>" },
    { name: "ZEROCLAW_providers__models__*__uri", type: "string", target: "env", doc: "endpoint URL of provider <family>.<alias>" },
    { name: "ZEROCLAW_agents__*__model_provider", type: "string", target: "env", doc: "provider of agent <alias> as <family>.<alias>" },
    { name: "ZEROCLAW_agents__*__risk_profile", type: "string", target: "env", doc: "risk profile of agent <alias>" },
    { name: "ZEROCLAW_agents__*__channels", type: "list", target: "env", doc: "channels of agent <alias> as <type>.<alias>" },
    { name: "ZEROCLAW_channels__*__enabled", type: "bool", target: "env", doc: "enable channel <type>.<alias>" },
    { name: "ZEROCLAW_channels__*__bot_token", type: "string", secret: true, target: "env", doc: "bot token of channel <type>.<alias>" },
    { name: "ZEROCLAW_channels__*__app_token", type: "string", secret: true, target: "env", doc: "Slack app token of channel slack.<alias>" },
    { name: "ZEROCLAW_channels__*__guild_ids", type: "list", target: "env", doc: "Discord guilds of channel discord.<alias>" },
    { name: "ZEROCLAW_peer_groups__*__channel", type: "string", target: "env", doc: "channel <type>.<alias> the peer group applies to" },
    { name: "ZEROCLAW_peer_groups__*__agents", type: "list", target: "env", doc: "agents the peer group may talk to" },
    { name: "ZEROCLAW_peer_groups__*__external_peers", type: "list", target: "env", doc: "user ids allowed in (the channel's allow-list)" },
  ],
  image: {
    licenses: "MIT OR Apache-2.0",
    // ZeroClaw finds config.toml (and data/, .secret_key) here.
    env: { ZEROCLAW_CONFIG_DIR: "/var/lib/zeroclaw" },
    command: ["zeroclaw", "daemon", "--host", "0.0.0.0"],
  },
};
