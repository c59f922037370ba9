/**
 * Each policy of the pack (policy/) on resources built for it: one that passes, ones that
 * violate, and the edge cases (values unknown in a preview, secrets, opt-ins).
 */
import { describe, expect, it } from "vitest";
import { dockerSocketOptIn } from "../../policy/docker-socket";
import { dropAllCapabilities, noNewPrivileges } from "../../policy/hardening";
import { healthcheck } from "../../policy/healthcheck";
import { imageByDigest } from "../../policy/image-digest";
import { noPlaintextSecretEnv, secretLook } from "../../policy/no-plaintext-secret-env";
import { noPrivileged } from "../../policy/no-privileged";
import { nonRootUser } from "../../policy/non-root-user";
import { policies } from "../../policy/policies";
import { restartPolicy } from "../../policy/restart-policy";
import { check, secret, UNKNOWN, type WireResource } from "./harness";

const DIGEST = `sha256:${"ab".repeat(32)}`;

/** A container that follows every convention; each test changes what it is about. */
const COMPLIANT = {
  name: "lab-zeroclaw",
  image: DIGEST,
  user: "10001:10001",
  restart: "unless-stopped",
  healthcheck: { tests: ["CMD", "/usr/local/bin/clawlab-health"], interval: "10s", timeout: "5s", retries: 3 },
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  envs: ["LOG_LEVEL=info"],
  labels: [{ label: "dev.clawlab.fleet", value: "lab" }],
};

const container = (changes: Record<string, unknown> = {}): WireResource => ({
  type: "docker:index/container:Container",
  name: "c",
  inputs: { ...COMPLIANT, ...changes },
});
const withLabel = (label: string, value: string) => ({ labels: [...COMPLIANT.labels, { label, value }] });

describe("the pack", () => {
  it("has uniquely named policies, mandatory except the secret check, which must see secret markers", () => {
    expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    for (const policy of policies) {
      expect(policy.enforcementLevel).toBe(policy === noPlaintextSecretEnv ? "remediate" : "mandatory");
    }
  });

  it("passes a compliant container and ignores other resource types", async () => {
    for (const policy of policies) {
      expect(await check(policy, container()), policy.name).toMatchObject({ mandatory: [], advisory: [] });
      const volume = await check(policy, { type: "docker:index/volume:Volume", name: "v", inputs: { name: "lab-state" } });
      expect(volume.mandatory, policy.name).toEqual([]);
      expect(volume.notApplicable.length, policy.name).toBeGreaterThan(0);
    }
  });
});

describe("container-non-root-user", () => {
  it.each(["1000", "999:999", "10001:10001"])("passes user %s", async (user) => {
    expect((await check(nonRootUser, container({ user }))).mandatory).toEqual([]);
  });

  it.each([
    [undefined, /user is not set/],
    ["root", /"root" is root/],
    ["0", /"0" is root/],
    ["0:0", /"0:0" is root/],
    ["1000:0", /root group/],
    ["postgres", /is a name, which cannot be proven non-root/],
    ["app:app", /is a name/],
  ])("refuses user %s", async (user, message) => {
    const { mandatory } = await check(nonRootUser, container({ user }));
    expect(mandatory).toHaveLength(1);
    expect(mandatory[0]).toMatch(message);
    expect(mandatory[0]).toMatch(/Set user to the image's numeric non-root uid:gid/);
  });

  it("exempts root only with the run-as-root label and every capability dropped", async () => {
    const labelled = { user: undefined, ...withLabel("dev.clawlab.run-as-root", "the image needs root") };
    expect((await check(nonRootUser, container(labelled))).mandatory).toEqual([]);
    const keepsCapabilities = await check(nonRootUser, container({ ...labelled, capabilities: undefined }));
    expect(keepsCapabilities.mandatory[0]).toMatch(/exempts a container only with capabilities.drops \["ALL"\]/);
  });
});

describe("container-healthcheck", () => {
  it.each([[["CMD", "pg_isready"]], [["CMD-SHELL", "nc -z 127.0.0.1 1883"]]])("passes %j", async (tests) => {
    expect((await check(healthcheck, container({ healthcheck: { tests } }))).mandatory).toEqual([]);
  });

  it.each([
    [undefined, /healthcheck is not set/],
    [{ tests: [] }, /healthcheck is not set/],
    [{ tests: ["NONE"] }, /disables the probe/],
    [{ tests: ["CMD"] }, /is not a probe/],
  ])("refuses %j", async (probe, message) => {
    const { mandatory } = await check(healthcheck, container({ healthcheck: probe }));
    expect(mandatory).toHaveLength(1);
    expect(mandatory[0]).toMatch(message);
    expect(mandatory[0]).toMatch(/Set healthcheck: \{ tests: \["CMD"/);
  });
});

describe("container-restart-policy", () => {
  it.each(["unless-stopped", "always"])("passes %s", async (restart) => {
    expect((await check(restartPolicy, container({ restart }))).mandatory).toEqual([]);
  });

  it.each([
    [undefined, /restart is not set/],
    ["no", /restart is "no"/],
    ["on-failure", /restart is "on-failure"/],
  ])("refuses %s", async (restart, message) => {
    const { mandatory } = await check(restartPolicy, container({ restart }));
    expect(mandatory).toEqual([expect.stringMatching(message)]);
    expect(mandatory[0]).toMatch(/Set restart: "unless-stopped"/);
  });
});

describe("image-by-digest", () => {
  const pull = (name: string): WireResource => ({ type: "docker:index/remoteImage:RemoteImage", name: "p", inputs: { name } });

  it.each([DIGEST, `registry:2.8.3@${DIGEST}`, `localhost:5000/lab/zeroclaw:v0.8.4@${DIGEST}`])("passes image %s", async (image) => {
    expect((await check(imageByDigest, container({ image }))).mandatory).toEqual([]);
    expect((await check(imageByDigest, pull(image))).mandatory).toEqual([]);
  });

  it.each(["registry:2", "nginx", "localhost:5000/lab/zeroclaw:latest", `nginx@sha256:${"ab".repeat(8)}`])("refuses image %s", async (image) => {
    const { mandatory } = await check(imageByDigest, container({ image }));
    expect(mandatory).toEqual([expect.stringContaining(`image "${image}" is not pinned by digest`)]);
    expect((await check(imageByDigest, pull(image))).mandatory).toEqual([expect.stringContaining(`name "${image}" is not pinned by digest`)]);
  });

  it("does not fail on an image not known during a preview, and says it could not check it", async () => {
    const { mandatory, advisory } = await check(imageByDigest, container({ image: UNKNOWN }));
    expect(mandatory).toEqual([]);
    expect(advisory).toEqual([expect.stringMatching(/can't run during preview: string value at \.image/)]);
    // An input left out entirely (never the case for a Container, whose image is required) is not judged either.
    expect((await check(imageByDigest, container({ image: undefined }))).mandatory).toEqual([]);
  });
});

describe("no-plaintext-secret-env", () => {
  const envs = (...entries: unknown[]) => container({ envs: entries });

  it("passes plain settings, secret values (the whole list or one entry) and secret files", async () => {
    for (const resource of [
      envs("LOG_LEVEL=info", "ONECLI_URL=http://onecli.internal:10254", "MODEL=claude-sonnet-4-5"),
      container({ envs: secret(["OPENAI_API_KEY=sk-live-0123456789abcdefghij", "LOG_LEVEL=info"]) }),
      envs("LOG_LEVEL=info", secret("ANTHROPIC_API_KEY=sk-ant-0123456789abcdefghij")),
      envs("POSTGRES_PASSWORD_FILE=/run/clawlab/postgres-password", "BRIDGE_MQTT_PASSWORD_FILE=/run/secrets/mqtt_password"),
      envs("OPENAI_API_KEY="),
    ]) {
      expect(await check(noPlaintextSecretEnv, resource)).toMatchObject({ mandatory: [], advisory: [] });
    }
  });

  it("refuses a secret-looking name or a known key format in plain text, without quoting the value", async () => {
    const { mandatory } = await check(
      noPlaintextSecretEnv,
      envs(
        "LOG_LEVEL=info",
        "ZEROCLAW_gateway__paired_tokens=zc_0123456789",
        "discordBotToken=abc123",
        "EXTRA=sk-proj-0123456789abcdefghij",
        "HELPER=ghp_0123456789abcdefghijABCD",
        "NOTIFY=xoxb-0123456789-abcdef",
        "DATABASE_URL=postgres://ironclaw:hunter2@db:5432/ironclaw",
        "PASSWORD_FILE=not-a-path",
      ),
    );
    expect(mandatory).toEqual([
      expect.stringMatching(/^envs\[1\] ZEROCLAW_gateway__paired_tokens: its name says it holds a secret, and it is plain text/),
      expect.stringMatching(/^envs\[2\] discordBotToken: its name says/),
      expect.stringMatching(/^envs\[3\] EXTRA: its value looks like an OpenAI or Anthropic API key/),
      expect.stringMatching(/^envs\[4\] HELPER: its value looks like a GitHub token/),
      expect.stringMatching(/^envs\[5\] NOTIFY: its value looks like a Slack token/),
      expect.stringMatching(/^envs\[6\] DATABASE_URL: its value looks like a URL with a password/),
      expect.stringMatching(/^envs\[7\] PASSWORD_FILE: its name says/),
    ]);
    expect(mandatory[0]).toMatch(/Pass it as pulumi.secret\(\.\.\.\), or upload it as a file and give its path in a <NAME>_FILE variable/);
    for (const value of ["zc_0123456789", "abc123", "sk-proj-0123", "ghp_0123", "xoxb-0123", "hunter2", "not-a-path"]) {
      expect(mandatory.join("\n")).not.toContain(value);
    }
  });

  it("checks the entries known during a preview and does not fail on the others", async () => {
    expect(await check(noPlaintextSecretEnv, envs(UNKNOWN, "API_KEY=plain"))).toMatchObject({
      mandatory: [expect.stringMatching(/^envs\[1\] API_KEY/)],
      advisory: [],
    });
    const unknownList = await check(noPlaintextSecretEnv, container({ envs: UNKNOWN }));
    expect(unknownList.mandatory).toEqual([]);
    expect(unknownList.advisory.length).toBeGreaterThan(0);
    // The runtimes' env in a first preview: one secret, not known yet. Nothing in it is plain.
    expect(await check(noPlaintextSecretEnv, container({ envs: secret(UNKNOWN) }))).toMatchObject({ mandatory: [], advisory: [] });
  });

  it("cannot tell a secret from plain text without its remediation pass, and says so", async () => {
    // A validation alone sees secrets unwrapped: configured to "mandatory", the check fails closed.
    const { mandatory } = await check(noPlaintextSecretEnv, envs(secret("OPENAI_API_KEY=sk-live-0123456789abcdefghij")), {
      level: "mandatory",
    });
    expect(mandatory).toEqual([expect.stringMatching(/cannot tell whether it is a Pulumi secret.*enforcementLevel "remediate"/)]);
  });

  it("tells a secret-looking entry from a plain one", () => {
    expect(secretLook("GITHUB_TOKEN=x")).toBe("its name says it holds a secret");
    expect(secretLook("openaiApiKey=x")).toBe("its name says it holds a secret");
    expect(secretLook("TELEGRAM=123456789:AAHabcdefghijklmnopqrstuvwxyz012345")).toBe("its value looks like a Telegram bot token");
    expect(secretLook("AWS=AKIAABCDEFGHIJKLMNOP")).toBe("its value looks like an AWS access key id (AKIA…)");
    expect(secretLook("TLS=-----BEGIN RSA PRIVATE KEY-----\nMII")).toBe("its value looks like a private key");
    for (const plain of ["MONKEY_BUSINESS=1", "KEYBOARD=us", "SORT=key", "TOKEN", "URL=https://example.com/a:b@c", "TOKEN_FILE=/run/secrets/t"]) {
      expect(secretLook(plain), plain).toBeUndefined();
    }
  });
});

describe("container-not-privileged", () => {
  it("passes unprivileged containers and refuses privileged ones", async () => {
    expect((await check(noPrivileged, container({ privileged: false }))).mandatory).toEqual([]);
    expect((await check(noPrivileged, container({ privileged: true }))).mandatory).toEqual([expect.stringMatching(/^privileged is true/)]);
  });
});

describe("docker-socket-opt-in", () => {
  const socketMount = { mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }] };

  it("passes other mounts, and a socket mount with the opt-in label", async () => {
    const other = { mounts: [{ type: "bind", source: "/srv/agents", target: "/agents" }], volumes: [{ hostPath: "/var/run/clawlab", containerPath: "/x" }] };
    expect((await check(dockerSocketOptIn, container(other))).mandatory).toEqual([]);
    expect((await check(dockerSocketOptIn, container({ ...socketMount, ...withLabel("dev.clawlab.docker-socket", "opt-in") }))).mandatory).toEqual([]);
  });

  it("refuses the socket, or a directory holding it, as a mount or a volume, without the label", async () => {
    const { mandatory } = await check(
      dockerSocketOptIn,
      container({
        mounts: [...socketMount.mounts, { type: "bind", source: "/run/", target: "/host-run" }],
        volumes: [{ hostPath: "//run//docker.sock", containerPath: "/docker.sock" }],
        ...withLabel("dev.clawlab.docker-socket", "yes"),
      }),
    );
    expect(mandatory).toEqual([
      expect.stringMatching(/^mounts\[0\]\.source "\/var\/run\/docker.sock" mounts the host's Docker socket/),
      expect.stringMatching(/^mounts\[1\]\.source "\/run\/"/),
      expect.stringMatching(/^volumes\[0\]\.hostPath "\/\/run\/\/docker.sock"/),
    ]);
    expect(mandatory[0]).toMatch(/opt in explicitly with the label dev.clawlab.docker-socket=opt-in/);
  });
});

describe("container-drops-capabilities", () => {
  it("passes ALL dropped (a needed capability may be added back)", async () => {
    const adds = { capabilities: { drops: ["all"], adds: ["NET_BIND_SERVICE"] } };
    expect((await check(dropAllCapabilities, container(adds))).mandatory).toEqual([]);
  });

  it("refuses default capabilities, a partial drop, and adding ALL back", async () => {
    expect((await check(dropAllCapabilities, container({ capabilities: undefined }))).mandatory).toEqual([
      expect.stringMatching(/^capabilities.drops is \[\], so the container keeps Docker's default capabilities/),
    ]);
    expect((await check(dropAllCapabilities, container({ capabilities: { drops: ["NET_RAW"] } }))).mandatory).toHaveLength(1);
    expect((await check(dropAllCapabilities, container({ capabilities: { drops: ["ALL"], adds: ["ALL"] } }))).mandatory).toEqual([
      expect.stringMatching(/^capabilities.adds holds "ALL"/),
    ]);
  });
});

describe("container-no-new-privileges", () => {
  it.each(["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"])("passes %s", async (option) => {
    expect((await check(noNewPrivileges, container({ securityOpts: ["apparmor=docker-default", option] }))).mandatory).toEqual([]);
  });

  it.each([[undefined], [["no-new-privileges:false"]], [["seccomp=unconfined"]]])("refuses %j", async (securityOpts) => {
    expect((await check(noNewPrivileges, container({ securityOpts }))).mandatory).toEqual([
      expect.stringMatching(/^securityOpts lacks "no-new-privileges:true"/),
    ]);
  });
});
