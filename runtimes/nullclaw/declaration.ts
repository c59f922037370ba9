import type { RuntimeDeclaration } from "../types";

/**
 * NullClaw (Zig, static). Reads its config from the fixed `$HOME/.nullclaw/config.json`
 * and silently falls back to defaults when that file is malformed — so the renderer's
 * output is parsed by a real JSON parser in the tests. Pairing stays on: the fleet
 * provisions a bearer token (NullClaw hashes plaintext tokens on load; tokens paired at
 * run time are not persisted upstream). An empty Telegram `allow_from` admits nobody.
 * The baked Telegram account holds `"bot_token": null`: NullClaw drops an account it
 * cannot parse, so without a token there is no channel, while an empty-string token
 * would start a poller whose failing getMe probe keeps /health "degraded" forever.
 */
export const nullclaw: RuntimeDeclaration = {
  name: "nullclaw",
  title: "NullClaw",
  upstream: "https://github.com/nullclaw/nullclaw",
  defaultVersion: "v2026.2.26",
  defaultRevision: "0b430025005cbf546230dc660f17ed314e03a7ca",
  port: 3000,
  user: { name: "nullclaw", uid: 10006 },
  stateDir: "/var/lib/nullclaw",
  workspaceDir: "/var/lib/nullclaw/workspace",
  config: { format: "json", baked: "config.json", path: "/var/lib/nullclaw/.nullclaw/config.json" },
  // /health answers 200 even when degraded: the body tells.
  health: { kind: "http", path: "/health", bodyContains: '"status":"ok"', startPeriodSeconds: 10 },
  readOnlyRootFilesystem: true,
  memoryMiB: 128,
  providers: ["anthropic", "openai", "openrouter", "gemini", "ollama", "custom"],
  // Its gemini provider always calls Google's endpoint (OpenAI and OpenRouter elsewhere go
  // through its OpenAI-compatible provider: translate.ts).
  providerBaseUrl: ["anthropic", "openai", "openrouter", "ollama", "custom"],
  channels: ["telegram"],
  emptyAllowListIsOpen: false,
  generatedSecrets: [{ name: "gatewayToken", length: 48, doc: "bearer token for /webhook (Authorization: Bearer <token>)" }],
  env: [
    { name: "NULLCLAW_GATEWAY_HOST", type: "string", target: "env", default: "0.0.0.0", doc: "listen address (an IP literal)" },
    { name: "NULLCLAW_GATEWAY_PORT", type: "port", target: "env", default: "3000", doc: "gateway port" },
    { name: "NULLCLAW_WORKSPACE", type: "string", target: "env", default: "/var/lib/nullclaw/workspace", doc: "agent workspace" },
    { name: "ANTHROPIC_API_KEY", type: "string", secret: true, target: "env", doc: "Anthropic API key" },
    { name: "OPENAI_API_KEY", type: "string", secret: true, target: "env", doc: "OpenAI API key" },
    { name: "OPENROUTER_API_KEY", type: "string", secret: true, target: "env", doc: "OpenRouter API key" },
    { name: "GEMINI_API_KEY", type: "string", secret: true, target: "env", doc: "Gemini API key" },
    { name: "NULLCLAW_API_KEY", type: "string", secret: true, target: "env", doc: "API key for any other provider" },
    { name: "CLAW_MODEL_PRIMARY", type: "string", target: "agents.defaults.model.primary", default: "anthropic/claude-sonnet-4-5", doc: "default model as provider/model" },
    { name: "CLAW_ANTHROPIC_BASE_URL", type: "string", target: "models.providers.anthropic.base_url", doc: "Anthropic API endpoint (unset: null, api.anthropic.com)" },
    { name: "CLAW_OLLAMA_BASE_URL", type: "string", target: "models.providers.ollama.base_url", doc: "Ollama endpoint (unset: null, http://localhost:11434)" },
    { name: "CLAW_BASE_URL", type: "string", target: "models.providers.custom.base_url", doc: "endpoint of the custom (OpenAI-compatible) provider (unset: null, no endpoint)" },
    { name: "CLAW_PAIRED_TOKENS", type: "list", secret: true, target: "gateway.paired_tokens", default: "", doc: "bearer tokens allowed on /webhook" },
    { name: "CLAW_TELEGRAM_BOT_TOKEN", type: "string", secret: true, target: "channels.telegram.accounts.main.bot_token", doc: "Telegram bot token (unset: Telegram off; must not be empty)" },
    { name: "CLAW_TELEGRAM_ALLOW_FROM", type: "list", target: "channels.telegram.accounts.main.allow_from", default: "", doc: "Telegram user ids allowed in (empty: nobody)" },
  ],
  image: {
    licenses: "MIT",
    // NullClaw's config is $HOME/.nullclaw/config.json: HOME is the volume (the
    // entrypoint pins it). The workspace lives beside it.
    env: { HOME: "/var/lib/nullclaw", NULLCLAW_WORKSPACE: "/var/lib/nullclaw/workspace" },
    // NullClaw makes every HTTP call (LLM providers, Telegram) by running `curl`: without it
    // each call fails (CurlWaitError) while /health stays "ok".
    packages: ["curl"],
    // v2026.2.26 installs no signal handler: SIGTERM ends it with 143 (tini -e 143).
    stopExitCode: 143,
    command: ["nullclaw", "gateway"],
  },
};
