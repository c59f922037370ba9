import type { ContainerEnv, ProviderType, TranslateInput } from "../types";

/** Canonical provider type → OpenClaw's provider id and the env var its key is read from. */
const PROVIDERS: Record<Exclude<ProviderType, "custom">, { id: string; keyEnv: string }> = {
  anthropic: { id: "anthropic", keyEnv: "ANTHROPIC_API_KEY" },
  openai: { id: "openai", keyEnv: "OPENAI_API_KEY" },
  openrouter: { id: "openrouter", keyEnv: "OPENROUTER_API_KEY" },
  gemini: { id: "google", keyEnv: "GEMINI_API_KEY" },
  ollama: { id: "ollama", keyEnv: "OLLAMA_API_KEY" },
};

/** Canonical → OpenClaw: secrets in its native env, the rest rendered into openclaw.json. */
export function translateOpenclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const provider = PROVIDERS[input.provider.type as keyof typeof PROVIDERS];
  if (!provider) throw new Error(`openclaw: unsupported provider type ${input.provider.type}`);
  const env: ContainerEnv<S> = {
    OPENCLAW_GATEWAY_TOKEN: input.generated.gatewayToken!,
    CLAW_MODEL: `${provider.id}/${input.model}`,
  };
  if (input.provider.apiKey !== undefined) env[provider.keyEnv] = input.provider.apiKey;
  if (input.provider.type === "ollama" && input.provider.baseUrl !== undefined) env.CLAW_OLLAMA_BASE_URL = input.provider.baseUrl;
  const telegram = input.channels.find((c) => c.type === "telegram");
  if (telegram) {
    env.CLAW_TELEGRAM_ENABLED = "true";
    env.TELEGRAM_BOT_TOKEN = telegram.botToken;
    env.CLAW_TELEGRAM_DM_POLICY = telegram.allowedUsers.length > 0 ? "allowlist" : "pairing";
    if (telegram.allowedUsers.length > 0) env.CLAW_TELEGRAM_ALLOW_FROM = telegram.allowedUsers.join(",");
  }
  return env;
}
