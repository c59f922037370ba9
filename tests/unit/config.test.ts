import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "smol-toml";
import { describe, expect, it } from "vitest";
import { ConfigError, parseCanonical, resolveSecrets } from "../../components/config";
import { parseStackSettings } from "../../components/config/stack";
import { declarations } from "../../runtimes";

const EXAMPLE = fs.readFileSync(path.join(__dirname, "../../clawlab.example.toml"), "utf8");

/** The example config as an object, to mutate one thing at a time. */
function example(): Record<string, any> {
  return parse(EXAMPLE) as Record<string, any>;
}

/** The problems a config yields, as `path: message` lines (empty when it is valid). */
function problems(doc: Record<string, any> | string): string[] {
  try {
    parseCanonical(typeof doc === "string" ? doc : stringify(doc), "test.toml");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("the example config", () => {
  it("is valid and enables all seven runtimes with their declared defaults", () => {
    const spec = parseCanonical(EXAMPLE, "clawlab.example.toml");
    expect(spec.runtimes.map((r) => r.name).sort()).toEqual(declarations.map((d) => d.name).sort());
    for (const runtime of spec.runtimes) {
      expect(runtime.host).toBe("local");
      expect(runtime.memoryMiB).toBe(runtime.declaration.memoryMiB);
    }
  });

  it("lists each secret reference once, by the path that uses it", () => {
    const spec = parseCanonical(EXAMPLE, "clawlab.example.toml");
    const paths = spec.secretRefs.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toContain("providers.claude.api_key");
    expect(paths).toContain("channels.team-telegram.bot_token");
  });
});

describe("validation errors name the offending path", () => {
  const cases: [string, (doc: Record<string, any>) => void, string][] = [
    ["unknown top-level key", (d) => (d.fleets = {}), "fleets: unknown key"],
    ["unknown nested key", (d) => (d.runtimes.zeroclaw.prot = 1), "runtimes.zeroclaw.prot: unknown key"],
    ["unknown runtime", (d) => (d.runtimes.megaclaw = { provider: "claude", model: "m" }), "runtimes.megaclaw: unknown runtime"],
    ["port out of range", (d) => (d.runtimes.picoclaw.port = 70000), "runtimes.picoclaw.port: must be 1-65535"],
    ["port zero", (d) => (d.runtimes.picoclaw.port = 0), "runtimes.picoclaw.port: must be 1-65535"],
    ["port not an integer", (d) => (d.runtimes.picoclaw.port = "80"), "runtimes.picoclaw.port: must be 1-65535"],
    ["undefined provider", (d) => (d.runtimes.zeroclaw.provider = "nope"), 'runtimes.zeroclaw.provider: no provider "nope"'],
    ["undefined channel", (d) => (d.runtimes.zeroclaw.channels = ["nope"]), 'runtimes.zeroclaw.channels.0: no channel "nope"'],
    ["undefined host", (d) => (d.runtimes.zeroclaw.host = "far"), 'runtimes.zeroclaw.host: no host "far"'],
    [
      "a channel used by two runtimes",
      (d) => (d.runtimes.microclaw.channels = ["team-telegram"]),
      'runtimes.microclaw.channels.0: channel "team-telegram" is already used by zeroclaw',
    ],
    [
      "two runtimes on one host port",
      (d) => (d.runtimes.nullclaw.port = 42617),
      'runtimes.nullclaw.port: 42617 on host "local" is already taken by zeroclaw',
    ],
    [
      "a channel type the runtime does not support",
      (d) => {
        d.runtimes.openclaw.channels = ["lab-discord"];
        d.runtimes.picoclaw.channels = [];
      },
      "runtimes.openclaw.channels.0: openclaw does not support discord channels",
    ],
    ["a provider type the runtime does not support", (d) => (d.runtimes.nanoclaw.provider = "gpt"), 'runtimes.nanoclaw.provider: nanoclaw cannot use provider type "openai"'],
    ["bad version string", (d) => (d.runtimes.zeroclaw.version = "main"), "runtimes.zeroclaw.version: must be a pinned release tag"],
    ["version latest", (d) => (d.runtimes.zeroclaw.version = "latest"), "runtimes.zeroclaw.version: must be a pinned release tag"],
    ["a literal secret", (d) => (d.providers.claude.api_key = "sk-ant-123"), "providers.claude.api_key: must be a secret reference"],
    ["a secret ref with two keys", (d) => (d.providers.claude.api_key = { secret: "a", env: "B" }), "providers.claude.api_key: must have exactly one"],
    ["custom provider without base_url", (d) => (d.providers.claude = { type: "custom", api_key: { env: "K" } }), "providers.claude.base_url: is required"],
    ["unknown provider type", (d) => (d.providers.claude.type = "mistral"), "providers.claude.type: must be one of"],
    ["unknown channel type", (d) => (d.channels["team-telegram"].type = "irc"), "channels.team-telegram.type"],
    ["missing required field", (d) => delete d.runtimes.zeroclaw.model, "runtimes.zeroclaw.model: is required"],
    ["a model id with white space (PicoClaw refuses it)", (d) => (d.runtimes.picoclaw.model = "gpt 5"), "runtimes.picoclaw.model: must be one word"],
    [
      "a base_url the runtime would ignore",
      (d) => (d.providers.claude.base_url = "https://proxy.example/v1"),
      'runtimes.openclaw.provider: openclaw would ignore the base_url of provider "claude" (type anthropic); it takes one only for ollama',
    ],
    ["a model id with //", (d) => (d.runtimes.zeroclaw.model = "anthropic//claude"), "runtimes.zeroclaw.model: must be one word"],
    ["bad docker host", (d) => (d.hosts.local.docker_host = "/var/run/docker.sock"), "hosts.local.docker_host: must be unix://"],
    ["open allow-list on a runtime that would answer everyone", (d) => (d.channels["lab-discord"].allowed_users = []), 'runtimes.picoclaw.channels.0: channel "lab-discord" has no allowed_users'],
    ["nanoclaw without a Docker API", (d) => delete d.runtimes.nanoclaw.docker_socket, "runtimes.nanoclaw: nanoclaw spawns its agents through a Docker API"],
    ["nanoclaw without a OneCLI vault", (d) => delete d.runtimes.nanoclaw.onecli_url, "runtimes.nanoclaw.onecli_url: nanoclaw's agents take their credentials from a OneCLI vault"],
    ["onecli_url on another runtime", (d) => (d.runtimes.zeroclaw.onecli_url = "http://x"), "runtimes.zeroclaw.onecli_url: only nanoclaw"],
    ["database_url on another runtime", (d) => (d.runtimes.zeroclaw.database_url = { env: "DB" }), "runtimes.zeroclaw.database_url: only ironclaw"],
    ["bad fleet name", (d) => (d.fleet.name = "Lab_1"), "fleet.name: must be a lower-case name"],
  ];
  it.each(cases)("%s", (_, mutate, expected) => {
    const doc = example();
    mutate(doc);
    expect(problems(doc).join("\n")).toContain(expected);
  });

  it("reports every problem of a kind at once: all field errors, then all cross-references", () => {
    const doc = example();
    doc.runtimes.picoclaw.port = 0;
    doc.fleet.extra = true;
    expect(problems(doc)).toHaveLength(2);
    const refs = example();
    refs.runtimes.zeroclaw.provider = "nope";
    refs.runtimes.nullclaw.port = 18789;
    refs.runtimes.openclaw.channels = ["missing"];
    expect(problems(refs)).toHaveLength(3);
  });

  it("checks clashes only among enabled runtimes", () => {
    const doc = example();
    doc.runtimes.nullclaw.port = 42617;
    doc.runtimes.nullclaw.enabled = false;
    expect(problems(doc)).toEqual([]);
  });

  it("reports a TOML syntax error with its line", () => {
    expect(problems('[fleet]\nname = "lab"\nregistry = \n')).toEqual([expect.stringMatching(/TOML syntax error at line 3/)]);
  });

  it("prints a heading and one line per problem", () => {
    const doc = example();
    doc.runtimes.picoclaw.port = 0;
    expect(() => parseCanonical(stringify(doc), "lab.toml")).toThrow(
      /^lab\.toml: 1 problem\n {2}runtimes\.picoclaw\.port: must be 1-65535$/,
    );
  });
});

describe("secret references", () => {
  const spec = parseCanonical(EXAMPLE, "clawlab.example.toml");
  const allSet = { config: () => "value", env: () => "value" };

  it("reports every missing Pulumi secret with the command that sets it", () => {
    const missing = { config: (key: string) => (key === "clawlab:anthropicApiKey" ? undefined : "v"), env: () => undefined };
    expect(() => resolveSecrets(spec, missing, "clawlab", "x.toml")).toThrow(
      'providers.claude.api_key: Pulumi secret config "anthropicApiKey" is not set (run: pulumi config set --secret anthropicApiKey — it prompts for the value)',
    );
  });

  it("reports a missing environment variable", () => {
    const doc = example();
    doc.providers.claude.api_key = { env: "CLAWLAB_TEST_UNSET_KEY" };
    const withEnv = parseCanonical(stringify(doc), "x.toml");
    expect(() => resolveSecrets(withEnv, { config: () => "v", env: () => undefined }, "clawlab", "x.toml")).toThrow(
      "providers.claude.api_key: environment variable CLAWLAB_TEST_UNSET_KEY is not set",
    );
  });

  it("resolves to secret Outputs", async () => {
    const resolve = resolveSecrets(spec, allSet, "clawlab", "x.toml");
    const output = resolve({ secret: "anthropicApiKey" });
    expect(await (output as any).isSecret).toBe(true);
  });
});

describe("stack settings", () => {
  const secretKeys = new Set(["anthropicApiKey"]);

  it("reads the clawlab namespace, ignoring secret references and other namespaces", () => {
    const settings = parseStackSettings(
      {
        "clawlab:localRegistry": "true",
        "clawlab:anthropicApiKey": "sk",
        "aws:region": "x",
        "clawlab:hosts": '{"local":"ssh://me@box"}',
      },
      "clawlab",
      secretKeys,
    );
    expect(settings).toMatchObject({ localRegistry: true, localRegistryPort: 5000, hosts: { local: "ssh://me@box" }, configFile: "clawlab.toml" });
  });

  it("names an unknown or bad setting", () => {
    expect(() => parseStackSettings({ "clawlab:localRegistery": "true" }, "clawlab", secretKeys)).toThrow(
      "clawlab:localRegistery: unknown stack setting",
    );
    expect(() => parseStackSettings({ "clawlab:localRegistryPort": "80" }, "clawlab", secretKeys)).toThrow(
      "clawlab:localRegistryPort: must be 1024-65535",
    );
    expect(() => parseStackSettings({ "clawlab:hosts": "{oops" }, "clawlab", secretKeys)).toThrow("clawlab:hosts: must be valid JSON");
  });

  it("wants a password with a registry username", () => {
    expect(() => parseStackSettings({ "clawlab:registryUsername": "me" }, "clawlab", secretKeys)).toThrow(
      "clawlab:registryPassword: is required with registryUsername",
    );
  });
});

describe("pinned revisions", () => {
  it("uses the declaration's commit for its own version, and none for another unless given", () => {
    const spec = parseCanonical(EXAMPLE, "x.toml");
    const zeroclaw = spec.runtimes.find((r) => r.name === "zeroclaw")!;
    expect(zeroclaw.revision).toBe(zeroclaw.declaration.defaultRevision);
    const doc = example();
    doc.runtimes.zeroclaw.version = "v0.8.5";
    expect(parseCanonical(stringify(doc), "x.toml").runtimes.find((r) => r.name === "zeroclaw")!.revision).toBe("");
    doc.runtimes.zeroclaw.revision = "0123456789abcdef0123456789abcdef01234567";
    expect(parseCanonical(stringify(doc), "x.toml").runtimes.find((r) => r.name === "zeroclaw")!.revision).toBe(
      "0123456789abcdef0123456789abcdef01234567",
    );
    doc.runtimes.zeroclaw.revision = "abc";
    expect(problems(doc).join("\n")).toContain("runtimes.zeroclaw.revision: must be a full 40-character commit hash");
  });

  it("matches each Dockerfile's default REVISION", () => {
    for (const decl of declarations) {
      const dockerfile = fs.readFileSync(path.join(__dirname, "../../runtimes", decl.name, "Dockerfile"), "utf8");
      const arg = /^ARG REVISION=(\S*)$/m.exec(dockerfile)?.[1];
      expect(arg ?? "", decl.name).toBe(decl.defaultRevision ?? "");
      expect(/^ARG VERSION=(\S+)$/m.exec(dockerfile)?.[1], decl.name).toBe(decl.defaultVersion);
    }
  });
});
