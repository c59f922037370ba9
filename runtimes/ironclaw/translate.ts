import type { ContainerEnv, ProviderType, TranslateInput } from "../types";

/** Canonical provider type → IronClaw's provider id, key variable and base-URL variable. */
const PROVIDERS: Record<ProviderType, { id: string; keyEnv?: string; urlEnv?: string }> = {
  anthropic: { id: "anthropic", keyEnv: "ANTHROPIC_API_KEY" },
  openai: { id: "openai", keyEnv: "OPENAI_API_KEY" },
  openrouter: { id: "openrouter", keyEnv: "OPENROUTER_API_KEY" },
  gemini: { id: "gemini", keyEnv: "GEMINI_API_KEY" },
  ollama: { id: "ollama", urlEnv: "OLLAMA_BASE_URL" },
  custom: { id: "openai_compatible", keyEnv: "LLM_API_KEY", urlEnv: "LLM_BASE_URL" },
};

/** Canonical → IronClaw: secrets and the database in env, provider slot in config.toml. */
export function translateIronclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const provider = PROVIDERS[input.provider.type];
  const env: ContainerEnv<S> = {
    IRONCLAW_REBORN_WEBUI_TOKEN: input.generated.webToken!,
    IRONCLAW_REBORN_SECRET_MASTER_KEY: input.generated.secretMasterKey!,
    IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON: "true",
    CLAW_LLM_PROVIDER: provider.id,
    CLAW_MODEL: input.model,
  };
  if (provider.keyEnv) {
    env.CLAW_LLM_API_KEY_ENV = provider.keyEnv;
    if (input.provider.apiKey !== undefined) env[provider.keyEnv] = input.provider.apiKey;
  }
  if (provider.urlEnv && input.provider.baseUrl !== undefined) env[provider.urlEnv] = input.provider.baseUrl;
  if (input.database) {
    env.IRONCLAW_REBORN_POSTGRES_URL = input.database.url;
    if (input.database.sidecar) {
      // The sidecar sits on a private network of its own; there is no TLS to terminate.
      env.DATABASE_SSLMODE = "disable";
      env.IRONCLAW_REBORN_ALLOW_REMOTE_POSTGRES_CLEAR_TEXT = "true";
    }
  }
  return env;
}
