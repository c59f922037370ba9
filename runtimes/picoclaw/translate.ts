import type { ContainerEnv, ProviderType, TranslateInput } from "../types";

/** Canonical provider type → PicoClaw's provider name (custom endpoints speak the OpenAI API). */
const PROVIDERS: Record<ProviderType, string> = {
  anthropic: "anthropic",
  openai: "openai",
  openrouter: "openrouter",
  gemini: "gemini",
  ollama: "ollama",
  custom: "openai",
};

/** Channel type → the native env var of its token (and Slack's app token). */
const TOKEN_ENV = {
  telegram: "PICOCLAW_CHANNELS_TELEGRAM_TOKEN",
  discord: "PICOCLAW_CHANNELS_DISCORD_TOKEN",
  slack: "PICOCLAW_CHANNELS_SLACK_BOT_TOKEN",
} as const;

/** PicoClaw speaks Ollama's OpenAI-compatible API under /v1; the canonical Ollama URL is the server's root. */
function apiBase(type: ProviderType, baseUrl: string): string {
  if (type !== "ollama") return baseUrl;
  const root = baseUrl.replace(/\/+$/, "");
  return /\/v1$/.test(root) ? root : `${root}/v1`;
}

/** Canonical → PicoClaw: tokens in native env, provider and API key rendered into config.json. */
export function translatePicoclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const env: ContainerEnv<S> = {
    PICOCLAW_GATEWAY_HOST: "0.0.0.0",
    CLAW_PROVIDER: PROVIDERS[input.provider.type],
    CLAW_MODEL: input.model,
  };
  if (input.provider.apiKey !== undefined) env.CLAW_API_KEY = input.provider.apiKey;
  if (input.provider.baseUrl !== undefined) env.CLAW_API_BASE = apiBase(input.provider.type, input.provider.baseUrl);
  for (const channel of input.channels) {
    const prefix = `CLAW_${channel.type.toUpperCase()}`;
    env[`${prefix}_ENABLED`] = "true";
    env[`${prefix}_ALLOW_FROM`] = channel.allowedUsers.join(",");
    env[TOKEN_ENV[channel.type]] = channel.botToken;
    if (channel.appToken !== undefined) env.PICOCLAW_CHANNELS_SLACK_APP_TOKEN = channel.appToken;
  }
  return env;
}
