import type { RuntimeDeclaration } from "../types";

/**
 * PicoClaw (Go, static). Reads gateway and channel tokens from env natively, but LLM API
 * keys only from its config, so the entrypoint renders config.json (mode 0600) with them.
 * An empty `allow_from` lets everyone in, so the fleet insists on an allow-list.
 */
export const picoclaw: RuntimeDeclaration = {
  name: "picoclaw",
  title: "PicoClaw",
  upstream: "https://github.com/sipeed/picoclaw",
  defaultVersion: "v0.2.9",
  defaultRevision: "2992eccbf03e54258a6889cf19a5a4fe6255895f",
  port: 18790,
  user: { name: "picoclaw", uid: 10003 },
  stateDir: "/var/lib/picoclaw",
  workspaceDir: "/var/lib/picoclaw/workspace",
  config: { format: "json", baked: "config.json", path: "/var/lib/picoclaw/config.json" },
  health: { kind: "http", path: "/health", bodyContains: '"status":"ok"', startPeriodSeconds: 15 },
  readOnlyRootFilesystem: true,
  memoryMiB: 256,
  providers: ["anthropic", "openai", "openrouter", "gemini", "ollama", "custom"],
  channels: ["telegram", "discord", "slack"],
  emptyAllowListIsOpen: true,
  generatedSecrets: [],
  env: [
    { name: "PICOCLAW_GATEWAY_HOST", type: "string", target: "env", default: "0.0.0.0", doc: "listen address" },
    { name: "PICOCLAW_LOG_LEVEL", type: "enum", values: ["debug", "info", "warn", "error"], target: "env", default: "warn", doc: "log level" },
    { name: "PICOCLAW_CHANNELS_TELEGRAM_TOKEN", type: "string", secret: true, target: "env", doc: "Telegram bot token" },
    { name: "PICOCLAW_CHANNELS_DISCORD_TOKEN", type: "string", secret: true, target: "env", doc: "Discord bot token" },
    { name: "PICOCLAW_CHANNELS_SLACK_BOT_TOKEN", type: "string", secret: true, target: "env", doc: "Slack bot token" },
    { name: "PICOCLAW_CHANNELS_SLACK_APP_TOKEN", type: "string", secret: true, target: "env", doc: "Slack app-level token" },
    // PicoClaw stops at start on a protocol it does not know: the ones the translator emits.
    { name: "CLAW_PROVIDER", type: "enum", values: ["anthropic", "openai", "openrouter", "gemini", "ollama"], target: "model_list.0.provider", default: "anthropic", doc: "LLM provider (PicoClaw's protocol name)" },
    { name: "CLAW_MODEL", type: "string", target: "model_list.0.model", default: "claude-sonnet-4-5", doc: "model id" },
    { name: "CLAW_API_BASE", type: "string", target: "model_list.0.api_base", default: "", doc: "provider endpoint; empty for the provider's default" },
    { name: "CLAW_API_KEY", type: "list", secret: true, target: "model_list.0.api_keys", default: "", doc: "provider API key(s), comma-separated" },
    { name: "CLAW_TELEGRAM_ENABLED", type: "bool", target: "channel_list.telegram.enabled", default: "false", doc: "serve Telegram" },
    { name: "CLAW_TELEGRAM_ALLOW_FROM", type: "list", target: "channel_list.telegram.allow_from", default: "", doc: "Telegram user ids allowed in" },
    { name: "CLAW_DISCORD_ENABLED", type: "bool", target: "channel_list.discord.enabled", default: "false", doc: "serve Discord" },
    { name: "CLAW_DISCORD_ALLOW_FROM", type: "list", target: "channel_list.discord.allow_from", default: "", doc: "Discord user ids allowed in" },
    { name: "CLAW_SLACK_ENABLED", type: "bool", target: "channel_list.slack.enabled", default: "false", doc: "serve Slack" },
    { name: "CLAW_SLACK_ALLOW_FROM", type: "list", target: "channel_list.slack.allow_from", default: "", doc: "Slack user ids allowed in" },
  ],
  image: {
    licenses: "MIT",
    // PicoClaw's home (config.json, pid file) is the volume.
    env: { PICOCLAW_HOME: "/var/lib/picoclaw", PICOCLAW_CONFIG: "/var/lib/picoclaw/config.json" },
    command: ["picoclaw", "gateway"],
  },
};
