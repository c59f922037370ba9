import type { ContainerEnv, ProviderType, TranslateInput } from "../types";

/** Canonical provider type → MicroClaw's `llm_provider` (Gemini is `google` there). */
const PROVIDERS: Record<ProviderType, string> = {
  anthropic: "anthropic",
  openai: "openai",
  openrouter: "openrouter",
  gemini: "google",
  ollama: "ollama",
  custom: "custom",
};

/** Canonical → MicroClaw: everything rendered into its YAML, the web password set at start. */
export function translateMicroclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const env: ContainerEnv<S> = {
    CLAW_WEB_PASSWORD: input.generated.webPassword!,
    CLAW_LLM_PROVIDER: PROVIDERS[input.provider.type],
    CLAW_MODEL: input.model,
  };
  if (input.provider.apiKey !== undefined) env.CLAW_API_KEY = input.provider.apiKey;
  if (input.provider.baseUrl !== undefined) env.CLAW_LLM_BASE_URL = input.provider.baseUrl;
  const telegram = input.channels.find((c) => c.type === "telegram");
  if (telegram) {
    env.CLAW_TELEGRAM_ENABLED = "true";
    env.CLAW_TELEGRAM_BOT_TOKEN = telegram.botToken;
    env.CLAW_TELEGRAM_ALLOWED_USER_IDS = telegram.allowedUsers.join(",");
  }
  return env;
}
