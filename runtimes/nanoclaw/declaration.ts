import type { RuntimeDeclaration } from "../types";

/**
 * NanoClaw (TypeScript). No config file: settings come from the process env and a `.env`
 * in its working directory, and the channel adapters read their tokens from that `.env`
 * only, so the entrypoint renders it (mode 0600). Its parser strips one pair of outer
 * quotes and knows no escapes, so a value holding a newline cannot be expressed and is
 * refused. No HTTP health endpoint: the probe connects to its control socket, which
 * NanoClaw opens last, after its channels: a Telegram adapter that cannot reach Telegram
 * retries for about 80 s first (upstream's own schedule), hence the start period. It
 * spawns one container per agent session through the `docker` CLI, which honours
 * DOCKER_HOST, and bind-mounts paths under its state dir into them by the paths it
 * sees: the engine must see the state dir at the same path (the entrypoint warns when
 * a local engine does not). Upstream ships the Telegram adapter on a separate branch,
 * pinned by the image. Agent credentials come from a OneCLI vault; the image refuses to
 * start without ONECLI_URL, because upstream silently falls back to the OneCLI cloud.
 */
export const nanoclaw: RuntimeDeclaration = {
  name: "nanoclaw",
  title: "NanoClaw",
  upstream: "https://github.com/qwibitai/nanoclaw",
  defaultVersion: "v2.0.64",
  defaultRevision: "0683c6ec589ec0df74c2a3d99f9544127317b490",
  port: 3000,
  user: { name: "nanoclaw", uid: 10004 },
  stateDir: "/var/lib/nanoclaw",
  workspaceDir: "/var/lib/nanoclaw/groups",
  config: { format: "dotenv", baked: "nanoclaw.env", path: "/var/lib/nanoclaw/.env" },
  // Upstream opens the socket after the channels. Telegram unreachable: bridge.setup is
  // tried 5 times (1+2+4+8 s apart), and that 3 more times on a network error (2, 5, 10 s
  // apart) = 77 s before the socket opens (measured 78 s with v2.0.64); up in about 5 s
  // otherwise. 120 s leaves that slow case 40 s of a loaded machine's margin.
  health: { kind: "socket", path: "/var/lib/nanoclaw/data/ncl.sock", startPeriodSeconds: 120 },
  readOnlyRootFilesystem: true,
  memoryMiB: 512,
  providers: ["anthropic"],
  // Its agents reach the model through OneCLI's credential proxy, not a URL of ours.
  providerBaseUrl: [],
  channels: ["telegram"],
  emptyAllowListIsOpen: false,
  generatedSecrets: [],
  env: [
    { name: "LOG_LEVEL", type: "enum", values: ["debug", "info", "warn", "error", "fatal"], target: "env", default: "info", doc: "log level" },
    { name: "WEBHOOK_PORT", type: "port", target: "env", default: "3000", doc: "webhook server port (opened when a webhook channel registers)" },
    { name: "MAX_CONCURRENT_CONTAINERS", type: "int", target: "env", default: "5", doc: "agent containers at once (upstream default 5)" },
    { name: "DOCKER_HOST", type: "string", target: "env", doc: "Docker API the agent containers are spawned through (unix://, tcp:// or ssh://); unset: a socket mounted at /var/run/docker.sock" },
    { name: "ONECLI_URL", type: "string", target: "env", doc: "OneCLI credential vault URL; required by the image (upstream falls back to its cloud, https://app.onecli.sh, which must be chosen explicitly)" },
    // NanoClaw reads it from .env as well as from env (src/config.ts): in .env it stays out of
    // the environment of every `docker` CLI it spawns.
    { name: "ONECLI_API_KEY", type: "string", secret: true, target: "ONECLI_API_KEY", default: "", doc: "OneCLI API key, written to .env" },
    { name: "CLAW_ASSISTANT_NAME", type: "string", target: "ASSISTANT_NAME", default: "Andy", doc: "the assistant's name, as users address it" },
    { name: "CLAW_TZ", type: "string", target: "TZ", default: "UTC", doc: "time zone" },
    { name: "CLAW_ANTHROPIC_API_KEY", type: "string", secret: true, target: "ANTHROPIC_API_KEY", default: "", doc: "Anthropic API key, written to .env; NanoClaw v2.0.64 itself does not read it (only the native-credential-proxy skill does): keep the key in the OneCLI vault" },
    { name: "CLAW_TELEGRAM_BOT_TOKEN", type: "string", secret: true, target: "TELEGRAM_BOT_TOKEN", default: "", doc: "Telegram bot token (the adapter reads .env only)" },
  ],
  image: {
    licenses: "MIT",
    description: "NanoClaw packaged by ClawLab: non-root, read-only root filesystem, state in one volume, agents through an explicit Docker API",
    // libatomic1 for node; openssh-client for DOCKER_HOST=ssh:// (its ssh-keysign loses the
    // setuid bit like everything else). perl-base (Essential) does the Docker API and
    // socket checks.
    packages: ["libatomic1", "openssh-client"],
    // Node, the built app (dist, production node_modules, package.json: an ES module
    // package), upstream's container/ tree (copied into the state dir at each start:
    // the agents mount it from there) and the docker CLI in /opt/nanoclaw/bin.
    artifacts: { "/out/node/bin/node": "/usr/local/bin/node", "/out/nanoclaw": "/opt/nanoclaw" },
    // The stand-in runs as `node`: it serves the control socket (data/ncl.sock) and the
    // webhook port. No docker CLI: the entrypoint checks the Docker API without one.
    standin: ["/out/node/bin/node", "/out/nanoclaw/dist/index.js"],
    // The CMD: runs node on the app from the state dir (see start.sh).
    files: { "start.sh": "/usr/local/bin/nanoclaw" },
    checks: [
      `node -e "const D = require('/opt/nanoclaw/node_modules/better-sqlite3'); new D(':memory:').prepare('select 1').get()"`,
      "/opt/nanoclaw/bin/docker --version",
      "test -f /opt/nanoclaw/container/agent-runner/src/index.ts",
    ],
    args: ["CHANNELS_REVISION"],
    labels: { "org.clawlab.channels-revision": "${CHANNELS_REVISION}" },
    // NanoClaw resolves data/, store/, groups/, logs/ and .env against its working
    // directory, and ~/.config/nanoclaw against HOME: both are the volume.
    env: {
      HOME: "/var/lib/nanoclaw",
      PATH: "/opt/nanoclaw/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      NODE_ENV: "production",
    },
    command: ["nanoclaw"],
  },
};
