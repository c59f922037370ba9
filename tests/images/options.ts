/**
 * What the generic samples need to know per runtime: variables a start requires,
 * values that must stay sane (a listen host), how globs are filled in, variables the
 * entrypoint consumes. Shared by the tests and the benchmark; add a runtime here.
 */
import type { RuntimeName } from "../../runtimes/types";
import { HOSTILE, HOSTILE_TOKEN, type SampleOptions } from "./samples";

export const IMAGE_OPTIONS: Partial<Record<RuntimeName, SampleOptions>> = {
  zeroclaw: {
    globs: {
      "ZEROCLAW_providers__models__*__api_key": "anthropic__main",
      "ZEROCLAW_providers__models__*__model": "anthropic__main",
      "ZEROCLAW_providers__models__*__uri": "anthropic__main",
      "ZEROCLAW_agents__*__model_provider": "main",
      "ZEROCLAW_agents__*__risk_profile": "main",
      "ZEROCLAW_agents__*__channels": "main",
      "ZEROCLAW_channels__*__enabled": "telegram__main",
      "ZEROCLAW_channels__*__bot_token": "telegram__main",
      "ZEROCLAW_channels__*__app_token": "slack__main",
      "ZEROCLAW_channels__*__guild_ids": "discord__main",
      "ZEROCLAW_peer_groups__*__channel": "main",
      "ZEROCLAW_peer_groups__*__agents": "main",
      "ZEROCLAW_peer_groups__*__external_peers": "main",
    },
  },
  openclaw: {
    // A start without the gateway token is refused (the lan bind needs auth).
    required: { OPENCLAW_GATEWAY_TOKEN: "sekret-openclawgatewaytoken-6e7f8a9b-0123456789abcdef" },
    // Numeric Telegram ids only; Telegram off (on, it needs the bot token and the Bot API).
    samples: { CLAW_TELEGRAM_ALLOW_FROM: " 111111111 , tg:222222222", CLAW_TELEGRAM_ENABLED: "false" },
  },
  nanoclaw: {
    // Every start needs a OneCLI the operator chose and a Docker API for the agents;
    // ssh:// is taken on trust (the stand-in spawns no agents, so nothing is reached).
    required: { ONECLI_URL: "http://onecli.internal:10254", DOCKER_HOST: "ssh://agents@sandbox.invalid" },
    // .env values are one line (NanoClaw's reader knows no escapes).
    samples: {
      CLAW_ASSISTANT_NAME: HOSTILE.replace(/[\r\n]/g, " "),
      CLAW_TZ: "Europe/Berlin",
      CLAW_ANTHROPIC_API_KEY: "sk-ant-sekret-clawanthropicapikey-1c2d3e4f",
      CLAW_TELEGRAM_BOT_TOKEN: '123456:sekret-clawtelegrambottoken-5a6b7c8d "q" \\ #x',
      ONECLI_API_KEY: "oc_sekret-onecliapikey-9e0f1a2b",
    },
  },
  picoclaw: {
    // The real PicoClaw refuses to start an anthropic model without a key.
    required: { CLAW_API_KEY: "sk-ant-sekret-clawapikey-2b3c4d5e" },
    // The listen address must stay an address for the runtime to come up; PicoClaw refuses a
    // model id with white space (so do the fleet's config checks), not quotes or backslashes.
    // Channels off: PicoClaw exits when no enabled channel reaches its service (none can here;
    // picoclaw.test.ts checks that on its own).
    samples: {
      PICOCLAW_GATEWAY_HOST: "0.0.0.0",
      CLAW_MODEL: HOSTILE_TOKEN,
      CLAW_TELEGRAM_ENABLED: "false",
      CLAW_DISCORD_ENABLED: "false",
      CLAW_SLACK_ENABLED: "false",
    },
  },
  nullclaw: {
    // The real NullClaw refuses a model without "provider/" (the entrypoint says so first).
    samples: { NULLCLAW_GATEWAY_HOST: "0.0.0.0", NULLCLAW_WORKSPACE: "/var/lib/nullclaw/ws-test", CLAW_MODEL_PRIMARY: `custom/${HOSTILE}` },
    // A bot token turns Telegram on; with no Bot API in reach the real /health goes degraded.
    unreachable: ["CLAW_TELEGRAM_BOT_TOKEN"],
  },
  ironclaw: {
    // What every start of the PostgreSQL profile needs (secrets carry findable markers).
    required: {
      IRONCLAW_REBORN_WEBUI_TOKEN: "sekret-webuitoken-0a1b2c3d-0123456789abcdef0123456789",
      IRONCLAW_REBORN_SECRET_MASTER_KEY: "sekret-masterkey-4e5f6a7b-0123456789abcdef",
      IRONCLAW_REBORN_POSTGRES_URL: "postgres://ironclaw:sekret-pgpassword-8c9d0e1f@postgres:5432/ironclaw",
      // The real IronClaw refuses its default provider (anthropic) without a key.
      ANTHROPIC_API_KEY: "sk-ant-sekret-anthropicapikey-3d4e5f6a",
    },
    // The PostgreSQL profile refuses to start without the governor (the generic bool sample
    // flips defaults); the database is the private sidecar, as the fleet sets it up.
    samples: {
      IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON: "true",
      DATABASE_SSLMODE: "disable",
      IRONCLAW_REBORN_ALLOW_REMOTE_POSTGRES_CLEAR_TEXT: "true",
    },
    // The real IronClaw migrates and stores its state in PostgreSQL at start.
    service: { dir: "postgres", alias: "postgres", env: { POSTGRES_USER: "ironclaw", POSTGRES_DB: "ironclaw", POSTGRES_PASSWORD: "sekret-pgpassword-8c9d0e1f" } },
  },
  microclaw: {
    // The web password always; the key too: MicroClaw refuses anthropic without one.
    required: { CLAW_WEB_PASSWORD: "sekret-webpassword-5a6b7c8d", CLAW_API_KEY: "sk-ant-sekret-clawapikey-6c7d8e9f" },
    consumed: ["CLAW_WEB_PASSWORD"],
  },
};
