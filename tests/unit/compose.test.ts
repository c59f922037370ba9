/**
 * `clawlab compose`: the committed docker-compose.fleet.yml is current; every service is
 * what the declarations and the Pulumi program say; secrets stay in 0600 env files; tokens
 * survive re-runs; a problem writes nothing. In process (composeCommand with a stand-in
 * `pulumi config get`) and, for exit codes and streams, through the real CLI.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseToml, stringify } from "smol-toml";
import { beforeAll, describe, expect, it, vi } from "vitest";
import YAML from "yaml";
import { ConfigError } from "../../components/config/errors";
import { loadCanonical } from "../../components/config/load";
import { seconds } from "../../components/container-settings";
import { PINNED_IMAGES } from "../../components/pinned-images";
import { COMPOSE_FILE, renderCompose } from "../../cli/compose";
import { ComposeError, type ComposeCommandOptions, composeCommand } from "../../cli/compose-write";
import type { ConfigGetResult } from "../../cli/pulumi-config";
import { declarations } from "../../runtimes";
import { IMAGE_HEALTH_COMMAND } from "../../runtimes/image";
import { EXAMPLE_SECRETS, evaluate, unwrap } from "../program/harness";

const ROOT = path.join(__dirname, "../..");
const CLI = path.join(ROOT, "cli", "clawlab.js");
const EXAMPLE = path.join(ROOT, "clawlab.example.toml");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-compose-"));
const REGENERATE = "npx clawlab compose --config clawlab.example.toml --no-env-files";

/** The example's `{ secret }` values, by bare key, as a stand-in `pulumi config get` returns them. */
const SECRETS = Object.fromEntries(Object.entries(EXAMPLE_SECRETS).map(([k, v]) => [k.replace(/^clawlab:/, ""), v]));
const configGet = (key: string): ConfigGetResult =>
  key in SECRETS ? { ok: true, value: SECRETS[key]! } : { ok: false, reason: "failed", detail: `configuration key '${key}' not found` };

let dirs = 0;
/** A fresh empty output folder. */
function outDir(): string {
  const dir = path.join(TMP, `out-${++dirs}`);
  fs.mkdirSync(dir);
  return dir;
}

/** Writes a file into the temp folder and returns its path. */
function tempFile(name: string, text: string): string {
  fs.writeFileSync(path.join(TMP, name), text);
  return path.join(TMP, name);
}

/** The example config changed by `mutate`, written to a temp file; returns its path. */
function variant(mutate: (doc: Record<string, any>) => void): string {
  const doc = parseToml(fs.readFileSync(EXAMPLE, "utf8")) as Record<string, any>;
  mutate(doc);
  return tempFile(`variant-${++dirs}.toml`, stringify(doc));
}

/** composeCommand on the example (or another config) into `out`, secrets from the stand-in. */
function compose(out: string, options: Partial<ComposeCommandOptions> = {}) {
  return composeCommand({ configFile: EXAMPLE, outDir: out, envFiles: true, env: {}, configGet, ...options });
}

const readYaml = (out: string) => YAML.parse(fs.readFileSync(path.join(out, COMPOSE_FILE), "utf8"));
/** Every file below a folder, relative, sorted. */
const tree = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();

/** Reads an env file as Compose does, for what renderDotenv writes. */
function readEnv(file: string): Record<string, string> {
  return parseEnv(fs.readFileSync(file, "utf8"));
}

function parseEnv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z_]\w*)="(.*)"$/.exec(line);
    if (match) values[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", r: "\r" })[c] ?? c);
  }
  return values;
}

describe("durations", () => {
  it.each([
    [5, "5s"],
    [59, "59s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [3600, "1h0m0s"],
    [3725, "1h2m5s"],
  ])("%i s is written %s, as Docker's provider reads it back (Go's time.Duration)", (value, text) => {
    expect(seconds(value)).toBe(text);
  });
});

describe("the committed docker-compose.fleet.yml", () => {
  it("is what clawlab compose makes of clawlab.example.toml", () => {
    const spec = loadCanonical(EXAMPLE);
    const fresh = renderCompose(spec, spec.runtimes, { configFile: "clawlab.example.toml", buildContext: "./runtimes" });
    const committed = fs.readFileSync(path.join(ROOT, COMPOSE_FILE), "utf8");
    expect(committed === fresh, `${COMPOSE_FILE} is stale: run \`${REGENERATE}\` at the repository root and commit it`).toBe(true);
  });

  it("says how it was made and how to make it again", () => {
    const committed = fs.readFileSync(path.join(ROOT, COMPOSE_FILE), "utf8");
    expect(committed).toContain(`#   ${REGENERATE}\n`);
    expect(committed).toContain("from clawlab.example.toml");
  });

  it("is what the command writes at the repository root (build context ./runtimes)", () => {
    const spec = loadCanonical(EXAMPLE);
    const out = outDir();
    compose(out, { envFiles: false });
    const relative = path.relative(out, path.join(ROOT, "runtimes")).split(path.sep).join("/");
    const expected = renderCompose(spec, spec.runtimes, { configFile: EXAMPLE, buildContext: relative });
    expect(fs.readFileSync(path.join(out, COMPOSE_FILE), "utf8")).toBe(expected);
    expect(readYaml(out).services.zeroclaw.build.context).toBe(relative);
  });
});

describe("each runtime's service", () => {
  const out = outDir();
  let doc: any;
  beforeAll(() => {
    compose(out);
    doc = readYaml(out);
  });

  it("is there for every enabled runtime, plus IronClaw's sidecar, and nothing else", () => {
    const runtimes = declarations.map((d) => d.name);
    expect(Object.keys(doc.services)).toEqual(runtimes.flatMap((name) => (name === "ironclaw" ? [name, "ironclaw-db"] : [name])));
  });

  it("reads every setting from the declaration and the config", () => {
    const example = parseToml(fs.readFileSync(EXAMPLE, "utf8")) as any;
    for (const decl of declarations) {
      const service = doc.services[decl.name];
      const { version, port } = example.runtimes[decl.name];
      expect(service.image, decl.name).toBe(`\${CLAWLAB_REGISTRY:-ghcr.io/codervisor}/${decl.name}:${version}`);
      expect(service.build.dockerfile).toBe(`${decl.name}/Dockerfile`);
      expect(service.build.args).toEqual({ VERSION: version, REVISION: decl.defaultRevision ?? "" });
      expect(service.container_name).toBe(`lab-${decl.name}`);
      expect(service.hostname).toBe(`lab-${decl.name}`);
      expect(service.env_file).toEqual([`.clawlab/${decl.name}.env`]);
      expect(service.ports).toEqual([`0.0.0.0:${port}:${decl.port}/tcp`]);
      expect(service.volumes[0]).toBe(`${decl.name}-state:${decl.stateDir}`);
      expect(doc.volumes[`${decl.name}-state`].name).toBe(`lab-${decl.name}-state`);
      expect(service.user).toBe(`${decl.user.uid}:${decl.user.uid}`);
      expect(service.read_only).toBe(decl.readOnlyRootFilesystem);
      expect(service.tmpfs).toEqual(decl.readOnlyRootFilesystem ? ["/tmp:rw,noexec,nosuid,size=64m"] : undefined);
      expect(service.cap_drop).toEqual(["ALL"]);
      expect(service.security_opt).toEqual(["no-new-privileges:true"]);
      expect(service.mem_limit).toBe(`${decl.memoryMiB}m`);
      expect(service.memswap_limit).toBe(`${decl.memoryMiB}m`);
      expect(service.restart).toBe("unless-stopped");
      expect(service.stop_grace_period).toBe("30s");
      expect(service.healthcheck).toEqual({
        test: ["CMD", IMAGE_HEALTH_COMMAND],
        interval: "10s",
        timeout: "5s",
        retries: 3,
        start_period: seconds(decl.health.startPeriodSeconds),
      });
      expect(service.logging).toEqual({ driver: "json-file", options: { "max-size": "10m", "max-file": "3" } });
      expect(service.labels).toEqual({
        "dev.clawlab.fleet": "lab",
        "dev.clawlab.role": decl.name,
        "dev.clawlab.version": version,
        "dev.clawlab.managed-by": "compose",
        // Only the runtime that mounts the host's Docker socket says so.
        ...(decl.name === "nanoclaw" ? { "dev.clawlab.docker-socket": "opt-in" } : {}),
      });
    }
  });

  it("hardens each container exactly as the Pulumi program does", async () => {
    vi.resetModules();
    const program = await evaluate(
      { "clawlab:configFile": EXAMPLE, "clawlab:localRegistry": "true", ...EXAMPLE_SECRETS },
      Object.keys(EXAMPLE_SECRETS),
      () => import("../../index"),
    );
    const containers = program.resources.filter((r) => r.type === "docker:index/container:Container").map((r) => unwrap(r.inputs));
    for (const name of Object.keys(doc.services)) {
      const service = doc.services[name];
      const container = containers.find((c) => c.name === service.container_name);
      expect(container, name).toBeDefined();
      const health = container.healthcheck;
      expect(service.healthcheck, name).toEqual({
        test: health.tests,
        interval: health.interval,
        timeout: health.timeout,
        retries: health.retries,
        start_period: health.startPeriod,
      });
      expect(service.hostname).toBe(container.hostname);
      expect(service.user).toBe(container.user);
      expect(service.cap_drop).toEqual(container.capabilities?.drops);
      expect(service.security_opt).toEqual(container.securityOpts);
      expect(service.read_only ?? false).toBe(container.readOnly ?? false);
      expect(service.tmpfs).toEqual(container.tmpfs && Object.entries(container.tmpfs).map(([p, o]) => `${p}:${o}`));
      expect(service.mem_limit).toBe(`${container.memory}m`);
      expect(service.memswap_limit).toBe(`${container.memorySwap}m`);
      expect(service.restart).toBe(container.restart);
      expect(service.stop_grace_period).toBe(container.stopTimeout === undefined ? undefined : `${container.stopTimeout}s`);
      expect(service.logging).toEqual({ driver: container.logDriver, options: container.logOpts });
      const labels = Object.fromEntries(container.labels.map((l: any) => [l.label, l.value]));
      expect(service.labels).toEqual({ ...labels, "dev.clawlab.managed-by": "compose" });
      expect(labels["dev.clawlab.managed-by"]).toBe("pulumi");
      const [volume, target] = service.volumes[0].split(":");
      expect(`${doc.volumes[volume].name}:${target}`).toBe(`${container.volumes[0].volumeName}:${container.volumes[0].containerPath}`);
      if (service.ports) expect(service.ports).toEqual(container.ports.map((p: any) => `${p.ip}:${p.external}:${p.internal}/${p.protocol}`));
    }
  });

  it("takes a runtime's memory_mb and port from the config", () => {
    const file = variant((d) => {
      d.runtimes.picoclaw.memory_mb = 300;
      d.runtimes.picoclaw.port = 40001;
    });
    const dir = outDir();
    compose(dir, { configFile: file, envFiles: false });
    const service = readYaml(dir).services.picoclaw;
    expect(service.mem_limit).toBe("300m");
    expect(service.ports).toEqual(["0.0.0.0:40001:18790/tcp"]);
  });

  it("maps host.docker.internal to the engine's host only for a runtime whose provider is there (the quickstart's Ollama)", () => {
    const dir = outDir();
    compose(dir, { configFile: path.join(ROOT, "clawlab.quickstart.toml"), envFiles: false });
    const services = readYaml(dir).services;
    expect(services.openclaw.extra_hosts).toEqual(["host.docker.internal:host-gateway"]);
    expect(services.picoclaw.extra_hosts).toEqual(["host.docker.internal:host-gateway"]);
    const example = outDir();
    compose(example, { configFile: EXAMPLE, envFiles: false });
    for (const [name, service] of Object.entries(readYaml(example).services)) expect((service as any).extra_hosts, name).toBeUndefined();
  });

  it("leaves out disabled runtimes", () => {
    const file = variant((d) => {
      d.runtimes.openclaw.enabled = false;
      d.runtimes.ironclaw.enabled = false;
    });
    const dir = outDir();
    compose(dir, { configFile: file });
    const yaml = readYaml(dir);
    expect(Object.keys(yaml.services)).not.toContain("openclaw");
    expect(Object.keys(yaml.services)).not.toContain("ironclaw-db");
    expect(yaml.networks).toBeUndefined();
    expect(tree(path.join(dir, ".clawlab"))).not.toContain("openclaw.env");
  });
});

describe("IronClaw", () => {
  it("gets its PostgreSQL sidecar: pinned image, pg_isready, health-gated start, private network, data volume", () => {
    const out = outDir();
    compose(out);
    const doc = readYaml(out);
    const db = doc.services["ironclaw-db"];
    expect(db.image).toBe(PINNED_IMAGES.postgres);
    expect(db.container_name).toBe("lab-ironclaw-db");
    expect(db.healthcheck.test).toEqual(["CMD", "pg_isready", "-U", "ironclaw", "-d", "ironclaw"]);
    expect(db.environment).toEqual({ POSTGRES_USER: "ironclaw", POSTGRES_DB: "ironclaw" });
    expect(db.env_file).toEqual([".clawlab/ironclaw-db.env"]);
    expect(db.networks).toEqual({ "ironclaw-db": { aliases: ["db"] } });
    expect(db.volumes).toEqual(["ironclaw-db:/var/lib/postgresql/data"]);
    expect(db.ports).toBeUndefined();
    expect(doc.volumes["ironclaw-db"].name).toBe("lab-ironclaw-db");
    expect(doc.networks["ironclaw-db"]).toMatchObject({ name: "lab-ironclaw", internal: true });
    const ironclaw = doc.services.ironclaw;
    expect(ironclaw.depends_on).toEqual({ "ironclaw-db": { condition: "service_healthy" } });
    expect(ironclaw.networks).toEqual(["default", "ironclaw-db"]);
    // The URL IronClaw gets holds the password the sidecar is initialised with.
    const { POSTGRES_PASSWORD } = readEnv(path.join(out, ".clawlab/ironclaw-db.env"));
    expect(POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    const env = readEnv(path.join(out, ".clawlab/ironclaw.env"));
    expect(env.IRONCLAW_REBORN_POSTGRES_URL).toBe(`postgres://ironclaw:${POSTGRES_PASSWORD}@lab-ironclaw-db:5432/ironclaw?sslmode=disable`);
    expect(env.DATABASE_SSLMODE).toBe("disable");
  });

  it("uses an external database_url instead, with no sidecar", () => {
    const file = variant((d) => (d.runtimes.ironclaw.database_url = { env: "IRONCLAW_DB" }));
    const out = outDir();
    const url = "postgres://iron:pw@db.example.com:5432/iron?sslmode=require";
    compose(out, { configFile: file, env: { IRONCLAW_DB: url } });
    const doc = readYaml(out);
    expect(doc.services["ironclaw-db"]).toBeUndefined();
    expect(doc.services.ironclaw.depends_on).toBeUndefined();
    expect(doc.services.ironclaw.networks).toBeUndefined();
    expect(doc.networks).toBeUndefined();
    expect(readEnv(path.join(out, ".clawlab/ironclaw.env")).IRONCLAW_REBORN_POSTGRES_URL).toBe(url);
    expect(fs.existsSync(path.join(out, ".clawlab/ironclaw-db.env"))).toBe(false);
  });
});

describe("NanoClaw's Docker socket", () => {
  it("is mounted, with the socket's group, only when the config says docker_socket = true", () => {
    const out = outDir();
    const result = compose(out);
    const nanoclaw = readYaml(out).services.nanoclaw;
    expect(nanoclaw.volumes).toEqual(["nanoclaw-state:/var/lib/nanoclaw", "/var/run/docker.sock:/var/run/docker.sock"]);
    expect(nanoclaw.group_add).toEqual(["${CLAWLAB_DOCKER_GID:-10004}"]);
    expect(result.notes.join("\n")).toMatch(/nanoclaw: docker_socket = true mounts the host's Docker socket.*CLAWLAB_DOCKER_GID=/);
    for (const [name, service] of Object.entries<any>(readYaml(out).services)) {
      if (name !== "nanoclaw") expect(JSON.stringify(service), name).not.toContain("docker.sock");
    }

    const file = variant((d) => {
      delete d.runtimes.nanoclaw.docker_socket;
      d.runtimes.nanoclaw.agent_docker_host = "ssh://agents@sandbox";
    });
    const other = outDir();
    const quiet = compose(other, { configFile: file });
    expect(readYaml(other).services.nanoclaw.volumes).toEqual(["nanoclaw-state:/var/lib/nanoclaw"]);
    expect(readYaml(other).services.nanoclaw.group_add).toBeUndefined();
    expect(quiet.notes.join("\n")).not.toContain("docker_socket");
    expect(readEnv(path.join(other, ".clawlab/nanoclaw.env")).DOCKER_HOST).toBe("ssh://agents@sandbox");
  });
});

describe("secrets", () => {
  it("never reach the YAML; the env files hold them, with the runtime's translated environment", () => {
    const out = outDir();
    compose(out);
    const yaml = fs.readFileSync(path.join(out, COMPOSE_FILE), "utf8");
    const envFiles = tree(path.join(out, ".clawlab"));
    expect(envFiles).toEqual([...declarations.map((d) => `${d.name}.env`), "ironclaw-db.env"].sort());
    const values = envFiles.flatMap((f) => Object.values(readEnv(path.join(out, ".clawlab", f))));
    const secrets = [
      ...Object.values(SECRETS),
      // Every generated token and password.
      ...envFiles.flatMap((f) => Object.entries(readEnv(path.join(out, ".clawlab", f)))).filter(([k]) => /TOKEN|KEY|PASSWORD|URL/.test(k)).map(([, v]) => v).filter((v) => /[A-Za-z0-9]{32}/.test(v)),
    ];
    expect(secrets.length).toBeGreaterThan(Object.values(SECRETS).length + 5);
    for (const secret of secrets) {
      expect(yaml.includes(secret), `YAML holds ${secret}`).toBe(false);
    }
    for (const secret of Object.values(SECRETS)) expect(values.some((v) => v.includes(secret)), secret).toBe(true);
    const zeroclaw = readEnv(path.join(out, ".clawlab/zeroclaw.env"));
    expect(zeroclaw.ZEROCLAW_providers__models__anthropic__claude__api_key).toBe(SECRETS.anthropicApiKey);
    expect(zeroclaw.ZEROCLAW_gateway__paired_tokens).toMatch(/^zc_[A-Za-z0-9]{48}$/);
    expect(readEnv(path.join(out, ".clawlab/microclaw.env")).CLAW_WEB_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    // Where each secret comes from, never its value, in the comment above it.
    const text = fs.readFileSync(path.join(out, ".clawlab/zeroclaw.env"), "utf8");
    expect(text).toContain('# providers.claude.api_key: { secret = "anthropicApiKey" }\nZEROCLAW_providers__models__anthropic__claude__api_key=');
    expect(text).toContain("# gatewayToken: generated once and kept; delete this line to rotate it\nZEROCLAW_gateway__paired_tokens=");
  });

  it("are in files of mode 0600 in a 0700 folder, even under umask 000", async () => {
    const out = outDir();
    const config = variant((d) => {
      d.runtimes = { microclaw: d.runtimes.microclaw };
      d.providers.claude.api_key = { env: "CLAUDE_KEY" };
    });
    const run = await cli(["compose", "--config", config, "--out", out], { CLAUDE_KEY: "sk-ant-x" }, "umask 000; ");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(fs.statSync(path.join(out, ".clawlab")).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(out, ".clawlab/microclaw.env")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(out, COMPOSE_FILE)).mode & 0o777).toBe(0o644);
    expect(tree(out)).toEqual([".clawlab", ".clawlab/microclaw.env", COMPOSE_FILE]);
  });

  it("are read with pulumi config get once per key, from the stack given", () => {
    const calls: string[] = [];
    compose(outDir(), {
      stack: "prod",
      configGet: (key, stack) => {
        calls.push(`${key}@${stack}`);
        return configGet(key);
      },
    });
    expect(calls.sort()).toEqual(Object.keys(SECRETS).map((k) => `${k}@prod`).sort());
  });
});

describe("generated tokens", () => {
  it("are kept across re-runs: the env files come out byte for byte the same", () => {
    const out = outDir();
    compose(out);
    const read = () => Object.fromEntries(tree(path.join(out, ".clawlab")).map((f) => [f, fs.readFileSync(path.join(out, ".clawlab", f), "utf8")]));
    const first = read();
    const again = compose(out);
    expect(read()).toEqual(first);
    expect(again.notes.join("\n")).not.toContain("generated a new");
    // A changed secret changes only its own value.
    compose(out, { configGet: (key) => (key === "anthropicApiKey" ? { ok: true, value: "sk-ant-rotated" } : configGet(key)) });
    const changed = read();
    expect(readEnv(path.join(out, ".clawlab/zeroclaw.env")).ZEROCLAW_providers__models__anthropic__claude__api_key).toBe("sk-ant-rotated");
    expect(readEnv(path.join(out, ".clawlab/zeroclaw.env")).ZEROCLAW_gateway__paired_tokens).toBe(parseEnv(first["zeroclaw.env"]!).ZEROCLAW_gateway__paired_tokens);
    expect(changed["ironclaw-db.env"]).toBe(first["ironclaw-db.env"]);
  });

  it("rotate one at a time when its line is deleted", () => {
    const out = outDir();
    compose(out);
    const file = path.join(out, ".clawlab/ironclaw.env");
    const before = readEnv(file);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^IRONCLAW_REBORN_WEBUI_TOKEN=.*\n/m, ""));
    const result = compose(out);
    const after = readEnv(file);
    expect(after.IRONCLAW_REBORN_WEBUI_TOKEN).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(after.IRONCLAW_REBORN_WEBUI_TOKEN).not.toBe(before.IRONCLAW_REBORN_WEBUI_TOKEN);
    expect(after.IRONCLAW_REBORN_SECRET_MASTER_KEY).toBe(before.IRONCLAW_REBORN_SECRET_MASTER_KEY);
    expect(after.IRONCLAW_REBORN_POSTGRES_URL).toBe(before.IRONCLAW_REBORN_POSTGRES_URL);
    expect(result.notes).toContain(".clawlab/ironclaw.env: no IRONCLAW_REBORN_WEBUI_TOKEN; generated a new webToken");
  });

  it("differ between fleets written afresh", () => {
    const [a, b] = [outDir(), outDir()];
    compose(a);
    compose(b);
    const token = (dir: string) => readEnv(path.join(dir, ".clawlab/openclaw.env")).OPENCLAW_GATEWAY_TOKEN;
    expect(token(a)).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(token(a)).not.toBe(token(b));
  });

  it("refuse an env file they cannot read back, and write nothing", () => {
    const out = outDir();
    compose(out);
    const file = path.join(out, ".clawlab/nullclaw.env");
    fs.appendFileSync(file, "BROKEN=unquoted\n");
    const before = snapshot(out);
    expect(() => compose(out)).toThrow(/\.clawlab\/nullclaw\.env, line \d+: not a NAME="value" line/);
    expect(snapshot(out)).toEqual(before);
  });
});

/** Every file below a folder with its bytes and mode. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    tree(dir).map((f) => {
      const at = path.join(dir, f);
      const stat = fs.statSync(at);
      return [f, stat.isDirectory() ? `dir ${stat.mode & 0o777}` : `${stat.mode & 0o777} ${fs.readFileSync(at, "utf8")}`];
    }),
  );
}

describe("problems write nothing", () => {
  it("names every missing secret by its config path, at once", () => {
    const out = outDir();
    const missing = (key: string): ConfigGetResult =>
      key === "anthropicApiKey" || key === "discordBotToken" ? { ok: false, reason: "failed", detail: `configuration key '${key}' not found` } : configGet(key);
    const file = variant((d) => (d.runtimes.nanoclaw.onecli_api_key = { env: "ONECLI_KEY" }));
    let error: unknown;
    try {
      compose(out, { configFile: file, configGet: missing });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual([
      "channels.lab-discord.bot_token",
      "providers.claude.api_key",
      "runtimes.nanoclaw.onecli_api_key",
    ]);
    expect((error as ConfigError).message).toContain("environment variable ONECLI_KEY is not set or empty");
    expect((error as ConfigError).message).toContain("pulumi config set --secret anthropicApiKey");
    expect(tree(out)).toEqual([]);
  });

  it("keeps an earlier good output untouched", () => {
    const out = outDir();
    compose(out);
    const before = snapshot(out);
    expect(() => compose(out, { configGet: () => ({ ok: false, reason: "no-cli", detail: "spawn pulumi ENOENT" }) })).toThrow(/pulumi CLI is not on PATH/);
    expect(snapshot(out)).toEqual(before);
  });

  it('refuses a value with a "$", which Compose v1 and v2 read differently', () => {
    const out = outDir();
    expect(() => compose(out, { configGet: (key) => (key === "openaiApiKey" ? { ok: true, value: "sk-a$b" } : configGet(key)) })).toThrow(
      /providers\.gpt\.api_key: CLAW_API_KEY would hold a "\$"/,
    );
    expect(tree(out)).toEqual([]);
  });

  it("refuses a .clawlab that is not a plain folder (a symlink is never followed)", () => {
    const out = outDir();
    const elsewhere = outDir();
    fs.symlinkSync(elsewhere, path.join(out, ".clawlab"));
    expect(() => compose(out)).toThrow(ComposeError);
    expect(tree(elsewhere)).toEqual([]);
    expect(fs.existsSync(path.join(out, COMPOSE_FILE))).toBe(false);
  });

  it("asks for --host when the runtimes run on several hosts, and takes only that host's", () => {
    const file = variant((d) => {
      d.hosts.edge = { docker_host: "ssh://deploy@edge" };
      d.runtimes.picoclaw.host = "edge";
    });
    const out = outDir();
    expect(() => compose(out, { configFile: file })).toThrow(/2 hosts \(local, edge\).*--host/);
    expect(tree(out)).toEqual([]);
    compose(out, { configFile: file, host: "edge", envFiles: false });
    expect(Object.keys(readYaml(out).services)).toEqual(["picoclaw"]);
    expect(fs.readFileSync(path.join(out, COMPOSE_FILE), "utf8")).toContain(`--host edge --no-env-files`);
    expect(() => compose(out, { configFile: file, host: "nowhere" })).toThrow(/--host "nowhere": no such host/);
  });
});

/** An empty PATH: no pulumi, wherever this runs (node and sh are called by absolute path). */
const EMPTY_PATH = fs.mkdtempSync(path.join(TMP, "empty-path-"));

/** Runs the real CLI (optionally after a shell prefix such as a umask). */
function cli(args: string[], env: Record<string, string> = {}, shellPrefix = ""): Promise<{ status: number; stdout: string; stderr: string }> {
  const command = `${shellPrefix}exec "$0" "$@"`;
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", command, process.execPath, CLI, ...args], { cwd: TMP, env: { PATH: EMPTY_PATH, HOME: TMP, ...env }, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe("clawlab compose on a terminal", () => {
  it("reports a bad --out on stderr only, exit 1, writing nothing", async () => {
    const file = tempFile("a-file", "");
    for (const [out, reason] of [
      [path.join(TMP, "no-such-dir"), "no such directory"],
      [file, "not a directory"],
    ] as const) {
      const run = await cli(["compose", "--config", EXAMPLE, "--out", out, "--no-env-files"]);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe(`clawlab: --out ${JSON.stringify(out)}: ${reason}\n`);
    }
    expect(fs.existsSync(path.join(TMP, "no-such-dir"))).toBe(false);
  });

  it("reports missing secrets by path on stderr, exit 1, nothing on stdout", async () => {
    const out = outDir();
    const run = await cli(["compose", "--config", EXAMPLE, "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^.*clawlab\.example\.toml: 6 problems\n  channels\.lab-discord\.bot_token: /);
    expect(tree(out)).toEqual([]);
  });

  it("rejects arguments and unknown flags as usage errors", async () => {
    const extra = await cli(["compose", "zeroclaw"]);
    expect(extra.status).toBe(2);
    expect(extra.stderr).toMatch(/^clawlab: compose takes no arguments \(got "zeroclaw"\)/);
    const flag = await cli(["compose", "--outdir", "x"]);
    expect(flag.status).toBe(2);
    expect(flag.stdout).toBe("");
  });

  it("prints what it wrote on stdout, and the help names the command", async () => {
    const out = outDir();
    const config = variant((d) => {
      d.runtimes = { nullclaw: d.runtimes.nullclaw };
      d.providers.claude.api_key = { env: "CLAUDE_KEY" };
    });
    const run = await cli(["compose", "--config", config, "--out", out], { CLAUDE_KEY: "sk-ant-x" });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`: 1 runtime, 1 service\n`);
    expect(run.stdout).toContain(".clawlab/nullclaw.env (mode 0600)\n");
    const help = await cli(["--help"]);
    expect(help.stdout).toContain("compose [--config FILE] [--out DIR]");
  });
});
