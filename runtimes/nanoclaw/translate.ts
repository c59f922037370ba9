import type { ContainerEnv, TranslateInput } from "../types";

/** Canonical → NanoClaw: tokens rendered into its `.env`, process settings in env. */
export function translateNanoclaw<S>(input: TranslateInput<S>): ContainerEnv<S> {
  const env: ContainerEnv<S> = {};
  if (input.provider.apiKey !== undefined) env.CLAW_ANTHROPIC_API_KEY = input.provider.apiKey;
  const telegram = input.channels.find((c) => c.type === "telegram");
  if (telegram) env.CLAW_TELEGRAM_BOT_TOKEN = telegram.botToken;
  if (input.dockerHost !== undefined) env.DOCKER_HOST = input.dockerHost;
  return env;
}
