import type { RuntimeDeclaration } from "../types";

/**
 * OpenClaw (TypeScript, runs on Node). Its JSON config is strictly validated (an unknown
 * key stops the gateway), so the entrypoint renders only keys the baked file already has.
 * Secrets stay in env, which OpenClaw reads natively: the gateway token and provider keys
 * never touch the disk. `--bind lan` (0.0.0.0) is refused without auth, so a gateway
 * token is always generated. Discord and Slack are separate plugins upstream, not in the
 * published package, so only Telegram is offered.
 */
export const openclaw: RuntimeDeclaration = {
  name: "openclaw",
  title: "OpenClaw",
  upstream: "https://github.com/openclaw/openclaw",
  defaultVersion: "2026.9.6",
  // The commit the npm package was built from (its dist/build-info.json); the build checks it.
  defaultRevision: "eb377ac59e6c9fd6c7705028034812becf00271b",
  port: 18789,
  user: { name: "openclaw", uid: 10002 },
  stateDir: "/var/lib/openclaw",
  workspaceDir: "/var/lib/openclaw/workspace",
  // openclaw.json: gateway mode local, bind lan, token auth (the token comes from
  // OPENCLAW_GATEWAY_TOKEN), the agents' model and workspace, the telegram block, and
  // the external perplexity plugin disabled: OPENROUTER_API_KEY alone makes 2026.9.6
  // want to install @openclaw/perplexity-plugin from npm at start, which a read-only
  // image without npm refuses with "requires state migration" (exit 78).
  config: { format: "json", baked: "openclaw.json", path: "/var/lib/openclaw/openclaw.json" },
  // The UI answers unknown paths with 200: only the body proves it is the health endpoint.
  // Start to healthy on 2 cores with the image suite beside it (npm run bench:startup --
  // --beside-suite): median 31 s, max 58 s; the start period gives three times that.
  health: { kind: "http", path: "/healthz", bodyContains: '"status":"live"', startPeriodSeconds: 180 },
  readOnlyRootFilesystem: true,
  memoryMiB: 1024,
  providers: ["anthropic", "openai", "openrouter", "gemini", "ollama"],
  // Its Ollama plugin reads models.providers.ollama.baseUrl; the others' endpoints are fixed here.
  providerBaseUrl: ["ollama"],
  channels: ["telegram"],
  emptyAllowListIsOpen: false,
  generatedSecrets: [{ name: "gatewayToken", length: 48, doc: "gateway auth token (Authorization: Bearer <token>)" }],
  env: [
    { name: "OPENCLAW_GATEWAY_TOKEN", type: "string", secret: true, target: "env", doc: "gateway auth token; required for the non-loopback bind" },
    { name: "OPENCLAW_LOG_LEVEL", type: "enum", values: ["trace", "debug", "info", "warn", "error"], target: "env", default: "info", doc: "log level" },
    { name: "ANTHROPIC_API_KEY", type: "string", secret: true, target: "env", doc: "Anthropic API key" },
    { name: "OPENAI_API_KEY", type: "string", secret: true, target: "env", doc: "OpenAI API key" },
    { name: "OPENROUTER_API_KEY", type: "string", secret: true, target: "env", doc: "OpenRouter API key" },
    { name: "GEMINI_API_KEY", type: "string", secret: true, target: "env", doc: "Gemini API key (provider id google)" },
    { name: "OLLAMA_API_KEY", type: "string", secret: true, target: "env", doc: "Ollama API key, if the server wants one" },
    { name: "TELEGRAM_BOT_TOKEN", type: "string", secret: true, target: "env", doc: "Telegram bot token of the default account" },
    { name: "CLAW_MODEL", type: "string", target: "agents.defaults.model", default: "anthropic/claude-sonnet-4-5", doc: "default model as provider/model" },
    { name: "CLAW_OLLAMA_BASE_URL", type: "string", target: "models.providers.ollama.baseUrl", default: "", doc: "Ollama's URL; empty for OpenClaw's default (loopback, i.e. none in a container)" },
    { name: "CLAW_TELEGRAM_ENABLED", type: "bool", target: "channels.telegram.enabled", default: "false", doc: "serve Telegram" },
    { name: "CLAW_TELEGRAM_DM_POLICY", type: "enum", values: ["pairing", "allowlist", "disabled"], target: "channels.telegram.dmPolicy", default: "pairing", doc: "who may DM the bot: pairing codes, the allow-list, or nobody" },
    { name: "CLAW_TELEGRAM_ALLOW_FROM", type: "list", target: "channels.telegram.allowFrom", default: "", doc: "Telegram user ids allowed in (dmPolicy allowlist)" },
  ],
  image: {
    licenses: "MIT",
    description: "OpenClaw gateway packaged by ClawLab: non-root, read-only root filesystem, state in one volume",
    // node links libatomic.
    packages: ["libatomic1"],
    // Node and the installed package (`npm ci` of runtimes/openclaw/install/).
    artifacts: { "/out/node/bin/node": "/usr/local/bin/node", "/out/openclaw": "/opt/openclaw" },
    standin: ["/out/node/bin/node", "/out/openclaw/node_modules/openclaw/openclaw.mjs"],
    setup: ["ln -s /opt/openclaw/node_modules/openclaw/openclaw.mjs /usr/local/bin/openclaw"],
    // node runs on this base and the package is VERSION (its --version writes under /tmp: cleaned).
    checks: [`[ "$(HOME=/tmp openclaw --version | grep -o '[0-9][0-9.]*[0-9]' | head -n 1)" = "$VERSION" ]`, "rm -rf /tmp/* /tmp/.[!.]*"],
    // Everything OpenClaw writes goes to the volume (state DB, credentials, workspace,
    // caches under HOME) or to /tmp (its rolling logs and lock files). The config is
    // rendered by the entrypoint at every start and is read-only to OpenClaw.
    // Bonjour is off: container networks drop mDNS.
    env: {
      HOME: "/var/lib/openclaw",
      OPENCLAW_STATE_DIR: "/var/lib/openclaw",
      OPENCLAW_CONFIG_PATH: "/var/lib/openclaw/openclaw.json",
      OPENCLAW_CONFIG_READONLY: "1",
      OPENCLAW_NO_AUTO_UPDATE: "1",
      OPENCLAW_DISABLE_BONJOUR: "1",
      NODE_ENV: "production",
    },
    command: ["openclaw", "gateway"],
  },
};
