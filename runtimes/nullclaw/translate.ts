import type { ContainerEnv, ProviderType, TranslateInput } from "../types";

/** Canonical provider type → NullClaw's provider name and the env var of its key. */
const PROVIDERS: Record<ProviderType, { id: string; keyEnv: string }> = {
  anthropic: { id: "anthropic", keyEnv: "ANTHROPIC_API_KEY" },
  openai: { id: "openai", keyEnv: "OPENAI_API_KEY" },
  openrouter: { id: "openrouter", keyEnv: "OPENROUTER_API_KEY" },
  gemini: { id: "gemini", keyEnv: "GEMINI_API_KEY" },
  ollama: { id: "ollama", keyEnv: "NULLCLAW_API_KEY" },
  custom: { id: "custom", keyEnv: "NULLCLAW_API_KEY" },
};

/** Canonical → NullClaw: keys in its native env, model, pairing and Telegram in config.json. */
export function translateNullclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const provider = PROVIDERS[input.provider.type];
  const env: ContainerEnv<S> = {
    NULLCLAW_GATEWAY_HOST: "0.0.0.0",
    CLAW_MODEL_PRIMARY: `${provider.id}/${input.model}`,
    CLAW_PAIRED_TOKENS: input.generated.gatewayToken!,
  };
  if (input.provider.apiKey !== undefined) env[provider.keyEnv] = input.provider.apiKey;
  if (input.provider.baseUrl !== undefined) env.CLAW_BASE_URL = input.provider.baseUrl;
  const telegram = input.channels.find((c) => c.type === "telegram");
  if (telegram) {
    env.CLAW_TELEGRAM_BOT_TOKEN = telegram.botToken;
    // Empty means nobody; the image keeps its empty default (an empty list value is an error).
    if (telegram.allowedUsers.length > 0) env.CLAW_TELEGRAM_ALLOW_FROM = telegram.allowedUsers.join(",");
  }
  return env;
}
