import type { RuntimeDeclaration } from "../types";

/**
 * IronClaw Reborn (Rust). Its config.toml rejects unknown fields and inline secrets:
 * fields ending `_env` name the variables that hold them, so the file carries no secret
 * and every secret stays in env. The `hosted-single-tenant` profile stores state in
 * PostgreSQL; the web UI always wants a bearer token of at least 32 bytes, generated here.
 */
export const ironclaw: RuntimeDeclaration = {
  name: "ironclaw",
  title: "IronClaw",
  upstream: "https://github.com/nearai/ironclaw",
  defaultVersion: "ironclaw-v1.3.0",
  defaultRevision: "70795c16ed0cec21eb8cba16d2dcf851d25dc83d",
  port: 3000,
  user: { name: "ironclaw", uid: 10005 },
  stateDir: "/var/lib/ironclaw",
  workspaceDir: "/var/lib/ironclaw/workspace",
  config: { format: "toml", baked: "config.toml", path: "/var/lib/ironclaw/config.toml" },
  health: { kind: "http", path: "/api/health", bodyContains: '"status":"healthy"', startPeriodSeconds: 60 },
  readOnlyRootFilesystem: true,
  memoryMiB: 1024,
  providers: ["anthropic", "openai", "openrouter", "gemini", "ollama", "custom"],
  // Only these have a base-URL variable (OLLAMA_BASE_URL, LLM_BASE_URL).
  providerBaseUrl: ["ollama", "custom"],
  channels: [],
  emptyAllowListIsOpen: false,
  generatedSecrets: [
    { name: "webToken", length: 48, doc: "web UI and API bearer token" },
    { name: "secretMasterKey", length: 64, encryptsData: true, doc: "master key that encrypts IronClaw's stored secrets; keep it to read them back" },
  ],
  env: [
    { name: "IRONCLAW_REBORN_WEBUI_TOKEN", type: "string", secret: true, target: "env", doc: "web UI bearer token, at least 32 bytes" },
    { name: "IRONCLAW_REBORN_SECRET_MASTER_KEY", type: "string", secret: true, target: "env", doc: "master key for stored secrets" },
    { name: "IRONCLAW_REBORN_POSTGRES_URL", type: "string", secret: true, target: "env", doc: "PostgreSQL URL" },
    { name: "IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON", type: "bool", target: "env", default: "true", doc: "one IronClaw per database (required by the postgres profiles)" },
    { name: "DATABASE_SSLMODE", type: "enum", values: ["disable", "prefer", "require"], target: "env", doc: "TLS to PostgreSQL; disable only on the private sidecar network" },
    { name: "IRONCLAW_REBORN_ALLOW_REMOTE_POSTGRES_CLEAR_TEXT", type: "bool", target: "env", default: "false", doc: "allow a clear-text connection to a non-loopback database (the private sidecar)" },
    { name: "IRONCLAW_REBORN_LOG", type: "string", target: "env", default: "info", doc: "log filter" },
    { name: "ANTHROPIC_API_KEY", type: "string", secret: true, target: "env", doc: "Anthropic API key" },
    { name: "OPENAI_API_KEY", type: "string", secret: true, target: "env", doc: "OpenAI API key" },
    { name: "OPENROUTER_API_KEY", type: "string", secret: true, target: "env", doc: "OpenRouter API key" },
    { name: "GEMINI_API_KEY", type: "string", secret: true, target: "env", doc: "Gemini API key" },
    { name: "LLM_API_KEY", type: "string", secret: true, target: "env", doc: "API key of an OpenAI-compatible endpoint" },
    { name: "LLM_BASE_URL", type: "string", target: "env", doc: "URL of an OpenAI-compatible endpoint" },
    { name: "OLLAMA_BASE_URL", type: "string", target: "env", doc: "URL of the Ollama server" },
    { name: "CLAW_LLM_PROVIDER", type: "enum", values: ["anthropic", "openai", "openrouter", "gemini", "ollama", "openai_compatible"], target: "llm.default.provider_id", default: "anthropic", doc: "LLM provider id" },
    { name: "CLAW_MODEL", type: "string", target: "llm.default.model", default: "claude-sonnet-4-5", doc: "model id" },
    { name: "CLAW_LLM_API_KEY_ENV", type: "enum", values: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "GEMINI_API_KEY", "LLM_API_KEY"], target: "llm.default.api_key_env", default: "ANTHROPIC_API_KEY", doc: "name of the variable holding the API key" },
  ],
  image: {
    licenses: "MIT OR Apache-2.0",
    description: "IronClaw Reborn packaged by ClawLab: non-root, read-only root filesystem, state in one volume, PostgreSQL storage",
    // The contract's defaults for variables IronClaw reads itself (the postgres profiles
    // refuse to start without the singleton governor).
    env: {
      IRONCLAW_REBORN_HOME: "/var/lib/ironclaw",
      IRONCLAW_REBORN_LOG: "info",
      IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON: "true",
    },
    command: ["ironclaw", "serve"],
  },
};
