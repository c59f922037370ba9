/**
 * The translators, one runtime at a time, against the upstream key names (see
 * ../shared/runtime-facts.md and the notes in each declaration), with plain strings
 * standing in for secrets.
 */
import { describe, expect, it } from "vitest";
import { declarations, translators, type ChannelInput, type ContainerEnv, type RuntimeName, type TranslateInput } from "../../runtimes";
import { PROVIDER_TYPES } from "../../runtimes/types";

const telegram: ChannelInput<string> = {
  name: "team-telegram",
  type: "telegram",
  botToken: "tg-token",
  allowedUsers: ["111", "222"],
  guildIds: [],
};
const discord: ChannelInput<string> = { name: "lab-discord", type: "discord", botToken: "dc-token", allowedUsers: ["333"], guildIds: ["444"] };
const slack: ChannelInput<string> = { name: "ops-slack", type: "slack", botToken: "xoxb", appToken: "xapp", allowedUsers: ["U1"], guildIds: [] };

function input(overrides: Partial<TranslateInput<string>> = {}): TranslateInput<string> {
  return {
    provider: { name: "claude", type: "anthropic", apiKey: "sk-ant" },
    model: "claude-sonnet-4-5",
    channels: [],
    generated: { gatewayToken: "gw-token", webToken: "web-token", secretMasterKey: "master-key", webPassword: "web-password" },
    ...overrides,
  };
}

/** Joins concatenated parts, as the component does with Outputs. */
function flat(env: ContainerEnv<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, Array.isArray(v) ? v.join("") : (v as string)]));
}

const translate = (runtime: RuntimeName, overrides: Partial<TranslateInput<string>> = {}) =>
  flat(translators[runtime](input(overrides)));

/** A contract name (`*` = any run of characters) as a regular expression. */
const globToRegExp = (glob: string) => new RegExp(`^${glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

describe("every translator speaks only its image's contract", () => {
  const variants: [string, Partial<TranslateInput<string>>][] = [
    ["no channels", {}],
    ["telegram", { channels: [telegram] }],
    ["discord", { channels: [discord] }],
    ["slack", { channels: [slack] }],
    ["custom provider", { provider: { name: "mine", type: "custom", apiKey: "k", baseUrl: "https://llm.example/v1" } }],
    ...PROVIDER_TYPES.map((type): [string, Partial<TranslateInput<string>>] => [
      `provider type ${type}`,
      { provider: { name: "p", type, apiKey: type === "ollama" ? undefined : "k", baseUrl: type === "custom" || type === "ollama" ? "http://llm.internal:11434" : undefined } },
    ]),
    ["database", { database: { url: "postgres://u:p@db/x", sidecar: true } }],
  ];
  // Only the combinations validation lets through reach a translator.
  const cases = declarations.flatMap((decl) =>
    variants
      .filter(([, o]) => (o.channels ?? []).every((c) => decl.channels.includes(c.type)))
      .filter(([, o]) => !o.provider || decl.providers.includes(o.provider.type))
      .map(([label, o]) => [`${decl.name}: ${label}`, decl, o] as const),
  );
  it.each(cases)("%s", (_, decl, overrides) => {
    const env = translate(decl.name, overrides);
    for (const [name, value] of Object.entries(env)) {
      const contract = decl.env.find((v) => globToRegExp(v.name).test(name));
      expect(contract, `${decl.name} emits ${name}, which its contract does not declare`).toBeDefined();
      if (contract!.type === "bool") expect(value).toMatch(/^(true|false)$/);
      if (contract!.type === "list") expect(value.split(",").every((item) => item.trim() !== "")).toBe(true);
      if (contract!.type === "int-list") expect(value).toMatch(/^\d+(,\d+)*$/);
      if (contract!.type === "enum") expect(contract!.values).toContain(value);
    }
  });

  it("hands on every base_url the config lets through (providerBaseUrl), never dropping one", () => {
    const url = "http://llm.internal:11434/v1";
    for (const decl of declarations) {
      for (const type of decl.providerBaseUrl ?? decl.providers) {
        const env = translate(decl.name, { provider: { name: "p", type, apiKey: "k", baseUrl: url } });
        expect(Object.values(env).some((v) => v.includes(url)), `${decl.name}, ${type}`).toBe(true);
      }
    }
  });

  it("marks every variable that carries a secret as secret", () => {
    const secrets = ["sk-ant", "oc-key", "tg-token", "dc-token", "xoxb", "xapp", "gw-token", "web-token", "master-key", "web-password", "postgres://u:p@db/x"];
    for (const decl of declarations) {
      for (const overrides of [
        { channels: [telegram], onecli: { url: "http://onecli", apiKey: "oc-key" } },
        { database: { url: "postgres://u:p@db/x", sidecar: true } },
      ] as const) {
        const env = translate(decl.name, overrides as Partial<TranslateInput<string>>);
        for (const [name, value] of Object.entries(env)) {
          if (!secrets.some((s) => value.includes(s))) continue;
          const contract = decl.env.find((v) => globToRegExp(v.name).test(name))!;
          expect(contract.secret, `${decl.name}: ${name} carries a secret`).toBe(true);
        }
      }
    }
  });
});

describe("ZeroClaw: native ZEROCLAW_<path> overrides, V3 schema", () => {
  it("configures provider, agent, pairing and a Telegram channel with its peer group", () => {
    expect(translate("zeroclaw", { channels: [telegram] })).toEqual({
      ZEROCLAW_gateway__require_pairing: "true",
      ZEROCLAW_gateway__paired_tokens: "zc_gw-token",
      ZEROCLAW_providers__models__anthropic__claude__api_key: "sk-ant",
      ZEROCLAW_providers__models__anthropic__claude__model: "claude-sonnet-4-5",
      ZEROCLAW_agents__main__model_provider: "anthropic.claude",
      ZEROCLAW_agents__main__risk_profile: "default",
      ZEROCLAW_agents__main__channels: "telegram.team_telegram",
      ZEROCLAW_channels__telegram__team_telegram__enabled: "true",
      ZEROCLAW_channels__telegram__team_telegram__bot_token: "tg-token",
      ZEROCLAW_peer_groups__team_telegram__channel: "telegram.team_telegram",
      ZEROCLAW_peer_groups__team_telegram__agents: "main",
      ZEROCLAW_peer_groups__team_telegram__external_peers: "111,222",
    });
  });

  it("keeps every override tail lower-case (upper-case tails are ignored upstream)", () => {
    const env = translate("zeroclaw", { channels: [discord, slack], provider: { name: "mine", type: "custom", apiKey: "k", baseUrl: "https://x" } });
    for (const name of Object.keys(env)) expect(name.slice("ZEROCLAW_".length)).toMatch(/^[a-z0-9_]+$/);
    expect(env).toMatchObject({
      ZEROCLAW_providers__models__custom__mine__uri: "https://x",
      ZEROCLAW_channels__discord__lab_discord__guild_ids: "444",
      ZEROCLAW_channels__slack__ops_slack__app_token: "xapp",
    });
  });

  it("leaves the channel unpaired (the /bind flow) when no users are listed", () => {
    const env = translate("zeroclaw", { channels: [{ ...telegram, allowedUsers: [] }] });
    expect(Object.keys(env).some((k) => k.startsWith("ZEROCLAW_peer_groups"))).toBe(false);
  });
});

describe("OpenClaw: gateway token and provider keys in env, model and channel block in openclaw.json", () => {
  it("maps Gemini to the google provider id", () => {
    expect(translate("openclaw", { provider: { name: "g", type: "gemini", apiKey: "gk" } })).toEqual({
      OPENCLAW_GATEWAY_TOKEN: "gw-token",
      CLAW_MODEL: "google/claude-sonnet-4-5",
      GEMINI_API_KEY: "gk",
    });
  });

  it("uses the allow-list policy when users are listed, pairing otherwise", () => {
    expect(translate("openclaw", { channels: [telegram] })).toMatchObject({
      CLAW_TELEGRAM_ENABLED: "true",
      TELEGRAM_BOT_TOKEN: "tg-token",
      CLAW_TELEGRAM_DM_POLICY: "allowlist",
      CLAW_TELEGRAM_ALLOW_FROM: "111,222",
    });
    const open = translate("openclaw", { channels: [{ ...telegram, allowedUsers: [] }] });
    expect(open.CLAW_TELEGRAM_DM_POLICY).toBe("pairing");
    expect(open.CLAW_TELEGRAM_ALLOW_FROM).toBeUndefined();
  });

  it("points its Ollama plugin at the provider's base_url (else OpenClaw would look on loopback)", () => {
    const env = translate("openclaw", { provider: { name: "local", type: "ollama", baseUrl: "http://host.docker.internal:11434" } });
    expect(env).toEqual({ OPENCLAW_GATEWAY_TOKEN: "gw-token", CLAW_MODEL: "ollama/claude-sonnet-4-5", CLAW_OLLAMA_BASE_URL: "http://host.docker.internal:11434" });
  });
});

describe("PicoClaw: API key rendered into model_list, channel tokens in native env", () => {
  it("translates provider and channels", () => {
    expect(translate("picoclaw", { channels: [discord] })).toEqual({
      PICOCLAW_GATEWAY_HOST: "0.0.0.0",
      CLAW_PROVIDER: "anthropic",
      CLAW_MODEL: "claude-sonnet-4-5",
      CLAW_API_KEY: "sk-ant",
      CLAW_DISCORD_ENABLED: "true",
      CLAW_DISCORD_ALLOW_FROM: "333",
      PICOCLAW_CHANNELS_DISCORD_TOKEN: "dc-token",
    });
    expect(translate("picoclaw", { channels: [slack] })).toMatchObject({
      PICOCLAW_CHANNELS_SLACK_BOT_TOKEN: "xoxb",
      PICOCLAW_CHANNELS_SLACK_APP_TOKEN: "xapp",
    });
  });

  it.each([
    ["http://host.docker.internal:11434", "http://host.docker.internal:11434/v1"],
    ["http://ollama:11434/", "http://ollama:11434/v1"],
    ["http://ollama:11434/v1", "http://ollama:11434/v1"],
  ])("speaks to Ollama's OpenAI-compatible API under /v1: %s", (baseUrl, apiBase) => {
    expect(translate("picoclaw", { provider: { name: "local", type: "ollama", baseUrl } }).CLAW_API_BASE).toBe(apiBase);
  });

  it("passes a custom endpoint's base as written", () => {
    expect(translate("picoclaw", { provider: { name: "mine", type: "custom", apiKey: "k", baseUrl: "https://llm.example/api" } }).CLAW_API_BASE).toBe("https://llm.example/api");
  });
});

describe("NanoClaw: tokens rendered into its .env, the Docker API in env", () => {
  it("translates the Telegram token, the agents' Docker host and the OneCLI vault, never the provider key", () => {
    expect(
      translate("nanoclaw", { channels: [telegram], dockerHost: "ssh://agents@sandbox", onecli: { url: "http://onecli:10254", apiKey: "oc-key" } }),
    ).toEqual({
      ONECLI_URL: "http://onecli:10254",
      ONECLI_API_KEY: "oc-key",
      CLAW_TELEGRAM_BOT_TOKEN: "tg-token",
      DOCKER_HOST: "ssh://agents@sandbox",
    });
  });
});

describe("IronClaw: secrets and database in env, the llm slot in config.toml", () => {
  it("uses the sidecar without TLS and names the key variable", () => {
    expect(translate("ironclaw", { database: { url: "postgres://u:p@db/x", sidecar: true } })).toEqual({
      IRONCLAW_REBORN_WEBUI_TOKEN: "web-token",
      IRONCLAW_REBORN_SECRET_MASTER_KEY: "master-key",
      IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON: "true",
      IRONCLAW_REBORN_POSTGRES_URL: "postgres://u:p@db/x",
      DATABASE_SSLMODE: "disable",
      IRONCLAW_REBORN_ALLOW_REMOTE_POSTGRES_CLEAR_TEXT: "true",
      CLAW_LLM_PROVIDER: "anthropic",
      CLAW_MODEL: "claude-sonnet-4-5",
      CLAW_LLM_API_KEY_ENV: "ANTHROPIC_API_KEY",
      ANTHROPIC_API_KEY: "sk-ant",
    });
  });

  it("keeps TLS on for an external database and maps custom to openai_compatible", () => {
    const env = translate("ironclaw", {
      database: { url: "postgres://u:p@rds/x", sidecar: false },
      provider: { name: "mine", type: "custom", apiKey: "k", baseUrl: "https://llm" },
    });
    expect(env.DATABASE_SSLMODE).toBeUndefined();
    expect(env.IRONCLAW_REBORN_ALLOW_REMOTE_POSTGRES_CLEAR_TEXT).toBeUndefined();
    expect(env).toMatchObject({ CLAW_LLM_PROVIDER: "openai_compatible", LLM_API_KEY: "k", LLM_BASE_URL: "https://llm", CLAW_LLM_API_KEY_ENV: "LLM_API_KEY" });
  });
});

describe("NullClaw: model as provider/model, a provisioned pairing token, Telegram account", () => {
  it("translates", () => {
    expect(translate("nullclaw", { channels: [telegram] })).toEqual({
      NULLCLAW_GATEWAY_HOST: "0.0.0.0",
      CLAW_MODEL_PRIMARY: "anthropic/claude-sonnet-4-5",
      CLAW_PAIRED_TOKENS: "gw-token",
      ANTHROPIC_API_KEY: "sk-ant",
      CLAW_TELEGRAM_BOT_TOKEN: "tg-token",
      CLAW_TELEGRAM_ALLOW_FROM: "111,222",
    });
  });

  it("puts a base_url under the provider NullClaw looks it up by (its own name)", () => {
    expect(translate("nullclaw", { provider: { name: "local", type: "ollama", baseUrl: "http://ollama.internal:11434" } })).toEqual({
      NULLCLAW_GATEWAY_HOST: "0.0.0.0",
      CLAW_MODEL_PRIMARY: "ollama/claude-sonnet-4-5",
      CLAW_PAIRED_TOKENS: "gw-token",
      CLAW_OLLAMA_BASE_URL: "http://ollama.internal:11434",
    });
    expect(translate("nullclaw", { provider: { name: "claude", type: "anthropic", apiKey: "sk-ant", baseUrl: "https://llm-proxy.internal" } })).toMatchObject({
      CLAW_MODEL_PRIMARY: "anthropic/claude-sonnet-4-5",
      ANTHROPIC_API_KEY: "sk-ant",
      CLAW_ANTHROPIC_BASE_URL: "https://llm-proxy.internal",
    });
    expect(translate("nullclaw", { provider: { name: "mine", type: "custom", apiKey: "k", baseUrl: "https://llm.example/v1" } })).toMatchObject({
      CLAW_MODEL_PRIMARY: "custom/claude-sonnet-4-5",
      NULLCLAW_API_KEY: "k",
      CLAW_BASE_URL: "https://llm.example/v1",
    });
  });

  it("sends OpenAI or OpenRouter at another address through the OpenAI-compatible provider (theirs ignore base_url)", () => {
    const env = translate("nullclaw", { provider: { name: "gpt", type: "openai", apiKey: "sk-x", baseUrl: "https://gw.internal/v1" } });
    expect(env).toMatchObject({ CLAW_MODEL_PRIMARY: "custom/claude-sonnet-4-5", NULLCLAW_API_KEY: "sk-x", CLAW_BASE_URL: "https://gw.internal/v1" });
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(translate("nullclaw", { provider: { name: "gpt", type: "openai", apiKey: "sk-x" } })).toMatchObject({
      CLAW_MODEL_PRIMARY: "openai/claude-sonnet-4-5",
      OPENAI_API_KEY: "sk-x",
    });
    expect(() => translate("nullclaw", { provider: { name: "g", type: "gemini", apiKey: "gk", baseUrl: "https://g.internal" } })).toThrow(/gemini provider has no base_url/);
  });
});

describe("MicroClaw: everything rendered into its YAML, the web password set at start", () => {
  it("translates, with Gemini as google", () => {
    expect(translate("microclaw", { channels: [telegram], provider: { name: "g", type: "gemini", apiKey: "gk" } })).toEqual({
      CLAW_WEB_PASSWORD: "web-password",
      CLAW_LLM_PROVIDER: "google",
      CLAW_MODEL: "claude-sonnet-4-5",
      CLAW_API_KEY: "gk",
      CLAW_TELEGRAM_ENABLED: "true",
      CLAW_TELEGRAM_BOT_TOKEN: "tg-token",
      CLAW_TELEGRAM_ALLOWED_USER_IDS: "111,222",
    });
  });
});

describe("generated secrets", () => {
  it("exist for every generated-secret name a translator reads", () => {
    for (const decl of declarations) {
      const seen = new Set<string>();
      const generated = new Proxy({} as Record<string, string>, {
        get: (_, key: string) => {
          seen.add(key);
          return `g-${key}`;
        },
      });
      translators[decl.name]({ ...input({ channels: [] }), generated });
      expect([...seen].sort()).toEqual(decl.generatedSecrets.map((s) => s.name).sort());
    }
  });
});
