/**
 * The shape of a runtime declaration: every fact about one claw runtime that the
 * image, the entrypoint, the translator, the Pulumi component and the tests need.
 * Each runtime declares these once, in `runtimes/<name>/declaration.ts`.
 */

import { RUNTIME_NAMES } from "./names";

export { RUNTIME_NAMES };
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** LLM provider kinds of the canonical config. */
export const PROVIDER_TYPES = ["anthropic", "openai", "openrouter", "gemini", "ollama", "custom"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** Chat channel kinds of the canonical config. */
export const CHANNEL_TYPES = ["telegram", "discord", "slack"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * How the entrypoint validates a variable before it lands anywhere.
 * - `string`: any bytes; written escaped for the native format.
 * - `int`: a decimal integer; `port`: an integer 1-65535.
 * - `bool`: `true` or `false`.
 * - `list`: comma-separated items, each non-empty after trimming (a list of strings).
 * - `int-list`: comma-separated decimal integers (a list of numbers).
 * - `enum`: one of `values`.
 */
export type EnvType = "string" | "int" | "port" | "bool" | "list" | "int-list" | "enum";

/** One variable of an image's environment contract. */
export interface EnvVar {
  /**
   * The variable's name. A `*` makes it a family of names, matched like a shell glob
   * (only for variables the runtime reads itself, `target: "env"`).
   */
  readonly name: string;
  /** How the value is validated (and, for file targets, typed in the native config). */
  readonly type: EnvType;
  /** Allowed values of an `enum`. */
  readonly values?: readonly string[];
  /** A secret: accepts `<name>_FILE` instead, is never printed, and lands only in 0600 files. */
  readonly secret?: boolean;
  /**
   * Where the value lands: `"env"` when the runtime reads the variable itself (the
   * entrypoint only validates it), otherwise the dotted key path in the native config
   * file that the entrypoint renders (`gateway.port`, `model_list.0.api_keys`).
   */
  readonly target: string;
  /** The value the image uses when the variable is unset, as the baked config holds it. */
  readonly default?: string;
  /** One line for `.env.example` and the docs. */
  readonly doc: string;
}

/**
 * How the container's health is probed. Most runtimes answer an HTTP GET on their port;
 * a runtime without an HTTP endpoint is probed by connecting to its control socket.
 */
export type HealthProbe =
  | {
      readonly kind: "http";
      /** Request path, e.g. `/health`. */
      readonly path: string;
      /**
       * A fragment the response body must contain, for runtimes whose UI answers unknown
       * paths with 200 (so a status code alone proves nothing).
       */
      readonly bodyContains?: string;
      /** Seconds the runtime may take to start before failures count. */
      readonly startPeriodSeconds: number;
    }
  | {
      readonly kind: "socket";
      /** The unix socket that accepts connections once the runtime is up. */
      readonly path: string;
      readonly startPeriodSeconds: number;
    };

/** The native config file the entrypoint renders at every start. */
export interface NativeConfig {
  /** The file format, which decides how values are escaped. */
  readonly format: "toml" | "json" | "yaml" | "dotenv";
  /**
   * The pristine default as it sits in the repository (`runtimes/<name>/<file>`); the image
   * holds it under `/usr/local/share/clawlab/` and never edits it.
   */
  readonly baked: string;
  /** Where the rendered file is written for the runtime to read. */
  readonly path: string;
  /**
   * The runtime keeps state in this file (ZeroClaw stores paired tokens there), so the
   * entrypoint writes it only when it is missing, and every setting must reach the
   * runtime through env targets instead. Default false: rendered at every start.
   */
  readonly seedOnly?: boolean;
}

/**
 * A secret the fleet generates for the runtime (a gateway or web token) so that auth is
 * configured rather than switched off. It reaches the translator as `generated[name]`
 * and is exported as a secret stack output for clients.
 */
export interface GeneratedSecret {
  /** Key in `TranslateInput.generated` and in the stack outputs. */
  readonly name: string;
  /** Length in characters (letters and digits). */
  readonly length: number;
  /** What a client does with it. */
  readonly doc: string;
  /**
   * It encrypts data the runtime stores (a master key): a new value could not read that
   * data back. Such a secret is its own RandomPassword, never rotated with the client
   * tokens (`token_rotation`, the fleet's token seed); default false: a client token.
   */
  readonly encryptsData?: boolean;
}

/**
 * The image facts the shared Dockerfile template (runtimes/dockerfile.ts) cannot derive
 * from the rest of the declaration. The build stage(s) are Dockerfile text in
 * `runtimes/<name>/Dockerfile.build`; everything else of `runtimes/<name>/Dockerfile` is
 * generated from the declaration and these facts by `npm run generate`.
 */
export interface ImageFacts {
  /** Upstream's license, an SPDX expression (the OCI `licenses` label). */
  readonly licenses: string;
  /**
   * The OCI `description` label. Default: "<title> packaged by ClawLab: non-root,
   * read-only root filesystem, state in one volume".
   */
  readonly description?: string;
  /**
   * Debian packages the runtime needs besides `tini` and `ca-certificates` (libraries it
   * links, tools its entrypoint or health probe uses); installed without recommends.
   */
  readonly packages?: readonly string[];
  /**
   * What the runtime stage copies from the artifact stage: path under `/out` → path in
   * the image (owned by root, so the runtime user cannot change it). The build stage and
   * the stand-in must both produce these paths. Default `/out/<name>` → `/usr/local/bin/<name>`.
   */
  readonly artifacts?: Readonly<Record<string, string>>;
  /**
   * Where the `standin` stage puts the test stand-in (`runtimes/shared/standin/`): the
   * paths under `/out` that the image executes as the runtime. Default `/out/<name>`.
   */
  readonly standin?: readonly string[];
  /**
   * Other files of `runtimes/<name>/` the image carries (a start script): file name →
   * path in the image. `entrypoint.sh`, the generated files, the baked config and
   * `health-<kind>.sh` (for a health probe other than http) are copied anyway.
   */
  readonly files?: Readonly<Record<string, string>>;
  /** Shell commands run as root once everything is in place (a symlink to the start script), before the self-test. */
  readonly setup?: readonly string[];
  /**
   * Build-time checks of the real artifact on the runtime base (it starts, its version,
   * its native modules load); skipped for the test stand-in, which is not the runtime.
   */
  readonly checks?: readonly string[];
  /**
   * The image's ENV: what points the runtime at its state dir and turns off what a
   * container must not do (self-update, mDNS). Never a secret: ENV is public in the image.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra labels; values may reference the global build args listed in `args` as `${NAME}`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Global build args declared in `Dockerfile.build` that the runtime stage uses (in `labels`). */
  readonly args?: readonly string[];
  /** The signal `docker stop` sends (the image's STOPSIGNAL), for a runtime that shuts down cleanly only on another than SIGTERM. */
  readonly stopSignal?: string;
  /**
   * The exit code the runtime ends with on its stop signal when it has no handler for it and
   * is simply killed by it (NullClaw: 143, i.e. 128 + SIGTERM). tini maps that code to 0
   * (`tini -e`), so a stop reads as clean while any other code still reads as a failure.
   */
  readonly stopExitCode?: number;
  /** The image's CMD: the runtime start, as exec words; runtime.conf hands it to the entrypoint as `CLAW_COMMAND`. */
  readonly command: readonly string[];
}

/** Everything ClawLab knows about one container runtime. */
export interface RuntimeDeclaration {
  /** Canonical name, also the image name and the `runtimes/<name>/` folder. */
  readonly name: RuntimeName;
  /** Display name. */
  readonly title: string;
  /** Upstream source repository (OCI `source` label, build stage clone). */
  readonly upstream: string;
  /** The pinned upstream tag built when the canonical config names none. */
  readonly defaultVersion: string;
  /**
   * The commit `defaultVersion` points at: the image build refuses a tag that moved.
   * Undefined where the build pins its input otherwise (a lockfile's integrity hashes).
   */
  readonly defaultRevision?: string;
  /** The port the runtime listens on inside the container. */
  readonly port: number;
  /** The unprivileged user the entrypoint drops to. */
  readonly user: { readonly name: string; readonly uid: number };
  /** The one state directory: the volume mount; everything that must persist lives here. */
  readonly stateDir: string;
  /** The runtime's workspace, inside `stateDir`. */
  readonly workspaceDir: string;
  /** The native config the entrypoint renders. */
  readonly config: NativeConfig;
  /** The health probe used by the image's HEALTHCHECK and by the container's. */
  readonly health: HealthProbe;
  /** Whether the runtime works on a read-only root filesystem (writes only to its volume and /tmp). */
  readonly readOnlyRootFilesystem: boolean;
  /** Default memory limit of the container, in MiB. */
  readonly memoryMiB: number;
  /** Provider types the runtime can talk to. */
  readonly providers: readonly ProviderType[];
  /**
   * Provider types whose `base_url` (a proxy, an Ollama elsewhere) the runtime takes; a
   * provider with a base_url of another type is a config error instead of being ignored.
   * Default: every type in `providers`.
   */
  readonly providerBaseUrl?: readonly ProviderType[];
  /** Channel types the runtime supports. */
  readonly channels: readonly ChannelType[];
  /**
   * True when the runtime lets everyone in if a channel's allow-list is empty (rather than
   * pairing or refusing): the config must then name at least one allowed user.
   */
  readonly emptyAllowListIsOpen: boolean;
  /** Secrets the fleet generates for it (gateway/web tokens). */
  readonly generatedSecrets: readonly GeneratedSecret[];
  /** The image's environment contract: every variable the entrypoint understands. */
  readonly env: readonly EnvVar[];
  /** The image facts of the shared Dockerfile template (see ImageFacts). */
  readonly image: ImageFacts;
}

/** A channel as a translator sees it: its canonical settings with secrets of type `S`. */
export interface ChannelInput<S> {
  /** The `[channels.<name>]` table name; runtimes use it as the channel's alias. */
  readonly name: string;
  readonly type: ChannelType;
  readonly botToken: S;
  /** Slack's app-level token. */
  readonly appToken?: S;
  /** User ids allowed to talk to the runtime (empty: nobody until paired, where the runtime pairs). */
  readonly allowedUsers: readonly string[];
  /** Discord guilds to serve. */
  readonly guildIds: readonly string[];
}

/**
 * What a translator gets: the canonical settings of one runtime, with secret values of
 * type `S` — plain strings in unit tests, secret Outputs in the program — so that the
 * translation stays a pure function and never has to look inside a secret.
 */
export interface TranslateInput<S> {
  readonly provider: {
    /** The `[providers.<name>]` table name; runtimes use it as the provider's alias. */
    readonly name: string;
    readonly type: ProviderType;
    readonly apiKey?: S;
    readonly baseUrl?: string;
  };
  readonly model: string;
  readonly channels: readonly ChannelInput<S>[];
  /** The secrets the fleet generated, by contract variable name (see `generatedSecrets`). */
  readonly generated: Readonly<Record<string, S>>;
  /** IronClaw: its PostgreSQL database. */
  readonly database?: {
    readonly url: S;
    /** The managed sidecar on a private network (no TLS there), rather than an external server. */
    readonly sidecar: boolean;
  };
  /** NanoClaw: the Docker API agents are spawned through, when enabled. */
  readonly dockerHost?: string;
  /** NanoClaw: the OneCLI vault its agents take credentials from. */
  readonly onecli?: { readonly url: string; readonly apiKey?: S };
}

/**
 * One variable's value: a plain string, a secret, or the concatenation of parts (so a
 * translator can embed a secret in a larger value without ever reading it).
 */
export type EnvValue<S> = string | S | readonly (string | S)[];

/** The container environment a translator produces: variable name → value. */
export type ContainerEnv<S> = Record<string, EnvValue<S>>;

/** Canonical settings → the image's environment contract, for one runtime. */
export type Translator = <S>(input: TranslateInput<S>) => ContainerEnv<S>;
