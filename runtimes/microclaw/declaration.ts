import type { RuntimeDeclaration } from "../types";

/**
 * MicroClaw (Rust). Takes nothing secret from env: the entrypoint renders its YAML
 * (mode 0600) at every start. Its web UI defaults to the password "helloworld", so the
 * fleet generates one and the entrypoint sets it before the runtime starts. An empty
 * Telegram `allowed_user_ids` admits everyone, so the fleet insists on an allow-list.
 * Upstream facts (v0.5.0): `--config` is a global flag; the web server (and /health)
 * runs when `web_enabled` is true; a start without `api_key` is refused except for
 * ollama; only SIGINT (Ctrl-C) shuts it down cleanly.
 */
export const microclaw: RuntimeDeclaration = {
  name: "microclaw",
  title: "MicroClaw",
  upstream: "https://github.com/microclaw/microclaw",
  defaultVersion: "v0.5.0",
  defaultRevision: "1b9a0972d8360169a272caa0f41e04071991d8f3",
  port: 10961,
  user: { name: "microclaw", uid: 10007 },
  stateDir: "/var/lib/microclaw",
  workspaceDir: "/var/lib/microclaw/working_dir",
  config: { format: "yaml", baked: "microclaw.config.yaml", path: "/var/lib/microclaw/microclaw.config.yaml" },
  health: { kind: "http", path: "/health", bodyContains: '"ok":true', startPeriodSeconds: 20 },
  readOnlyRootFilesystem: true,
  memoryMiB: 256,
  providers: ["anthropic", "openai", "openrouter", "gemini", "ollama", "custom"],
  channels: ["telegram"],
  emptyAllowListIsOpen: true,
  generatedSecrets: [{ name: "webPassword", length: 32, doc: "operator password of the web UI" }],
  env: [
    { name: "RUST_LOG", type: "string", target: "env", default: "info", doc: "log filter" },
    { name: "CLAW_WEB_PASSWORD", type: "string", secret: true, target: "env", doc: "operator password the entrypoint sets for the web UI (at least 8 characters)" },
    { name: "CLAW_LLM_PROVIDER", type: "enum", values: ["anthropic", "openai", "openrouter", "google", "ollama", "custom"], target: "llm_provider", default: "anthropic", doc: "LLM provider" },
    { name: "CLAW_API_KEY", type: "string", secret: true, target: "api_key", default: "", doc: "provider API key (a start without one is refused, except for ollama)" },
    { name: "CLAW_MODEL", type: "string", target: "model", default: "claude-sonnet-4-5", doc: "model id" },
    { name: "CLAW_LLM_BASE_URL", type: "string", target: "llm_base_url", doc: "provider endpoint (custom, ollama)" },
    { name: "CLAW_TELEGRAM_ENABLED", type: "bool", target: "channels.telegram.enabled", default: "false", doc: "serve Telegram" },
    { name: "CLAW_TELEGRAM_BOT_TOKEN", type: "string", secret: true, target: "channels.telegram.bot_token", default: "", doc: "Telegram bot token" },
    { name: "CLAW_TELEGRAM_ALLOWED_USER_IDS", type: "int-list", target: "channels.telegram.allowed_user_ids", default: "", doc: "numeric Telegram user ids allowed in (empty: everyone)" },
  ],
  image: {
    licenses: "MIT",
    // OpenSSL, as upstream links it (native-tls). SQLite is compiled in (rusqlite
    // `bundled`); the binary's other libraries (liblzma5, libgcc-s1) are in every base.
    packages: ["libssl3"],
    // The contract's default log filter.
    env: { RUST_LOG: "info" },
    // MicroClaw waits for Ctrl-C (SIGINT) only; SIGTERM would kill it without a shutdown.
    stopSignal: "SIGINT",
    command: ["microclaw", "--config", "/var/lib/microclaw/microclaw.config.yaml", "start"],
  },
};
