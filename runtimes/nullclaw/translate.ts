import type { ContainerEnv, ProviderType, TranslateInput } from "../types";

/**
 * Canonical provider type → NullClaw's provider name, the env var of its key, and the
 * contract variable of its endpoint. NullClaw looks a provider's `base_url` up under
 * `models.providers.<its name>`, and only its anthropic, ollama and unknown-name
 * (OpenAI-compatible) providers use one: the openai, openrouter and gemini providers
 * always call their public endpoint (v2026.2.26, src/providers/factory.zig).
 */
const PROVIDERS: Record<ProviderType, { id: string; keyEnv: string; urlEnv?: string }> = {
  anthropic: { id: "anthropic", keyEnv: "ANTHROPIC_API_KEY", urlEnv: "CLAW_ANTHROPIC_BASE_URL" },
  openai: { id: "openai", keyEnv: "OPENAI_API_KEY" },
  openrouter: { id: "openrouter", keyEnv: "OPENROUTER_API_KEY" },
  gemini: { id: "gemini", keyEnv: "GEMINI_API_KEY" },
  ollama: { id: "ollama", keyEnv: "NULLCLAW_API_KEY", urlEnv: "CLAW_OLLAMA_BASE_URL" },
  custom: { id: "custom", keyEnv: "NULLCLAW_API_KEY", urlEnv: "CLAW_BASE_URL" },
};

/** Canonical → NullClaw: keys in its native env, model, endpoint, pairing and Telegram in config.json. */
export function translateNullclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  let provider = PROVIDERS[input.provider.type];
  if (input.provider.baseUrl !== undefined && provider.urlEnv === undefined) {
    // OpenAI's and OpenRouter's APIs at another address are OpenAI-compatible endpoints:
    // NullClaw's own providers for them would silently ignore the base_url.
    // Never reached from a checked config: the declaration's providerBaseUrl leaves gemini out.
    if (input.provider.type === "gemini") {
      throw new Error("nullclaw: its gemini provider has no base_url; use type custom with an OpenAI-compatible endpoint");
    }
    provider = PROVIDERS.custom;
  }
  const env: ContainerEnv<S> = {
    NULLCLAW_GATEWAY_HOST: "0.0.0.0",
    CLAW_MODEL_PRIMARY: `${provider.id}/${input.model}`,
    CLAW_PAIRED_TOKENS: input.generated.gatewayToken!,
  };
  if (input.provider.apiKey !== undefined) env[provider.keyEnv] = input.provider.apiKey;
  if (input.provider.baseUrl !== undefined) env[provider.urlEnv!] = input.provider.baseUrl;
  const telegram = input.channels.find((c) => c.type === "telegram");
  if (telegram) {
    env.CLAW_TELEGRAM_BOT_TOKEN = telegram.botToken;
    // Empty means nobody; the image keeps its empty default (an empty list value is an error).
    if (telegram.allowedUsers.length > 0) env.CLAW_TELEGRAM_ALLOW_FROM = telegram.allowedUsers.join(",");
  }
  return env;
}
