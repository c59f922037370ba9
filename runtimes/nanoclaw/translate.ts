import type { ContainerEnv, TranslateInput } from "../types";

/**
 * Canonical → NanoClaw: the Telegram token rendered into its `.env`, the Docker API and
 * the OneCLI vault in env. The provider's key is not passed: NanoClaw v2.0.64 does not
 * read it, its agents get credentials from the OneCLI vault, where the key belongs.
 */
export function translateNanoclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const env: ContainerEnv<S> = {};
  if (input.onecli) {
    env.ONECLI_URL = input.onecli.url;
    if (input.onecli.apiKey !== undefined) env.ONECLI_API_KEY = input.onecli.apiKey;
  }
  const telegram = input.channels.find((c) => c.type === "telegram");
  if (telegram) env.CLAW_TELEGRAM_BOT_TOKEN = telegram.botToken;
  if (input.dockerHost !== undefined) env.DOCKER_HOST = input.dockerHost;
  return env;
}
