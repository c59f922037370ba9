import type { RuntimeDeclaration } from "./types";

/**
 * Paths every ClawLab image shares (the image template's fixed points). The Dockerfiles
 * place files here; the component's healthcheck and the tests read them from here.
 */
export const IMAGE_SHARE_DIR = "/usr/local/share/clawlab";
/** The generated contract files, as the entrypoint library reads them. */
export const IMAGE_RUNTIME_CONF = `${IMAGE_SHARE_DIR}/runtime.conf`;
export const IMAGE_ENV_CONTRACT = `${IMAGE_SHARE_DIR}/env.contract`;
/** The health probe every image ships; it reads the port, path and body from runtime.conf. */
export const IMAGE_HEALTH_COMMAND = "/usr/local/bin/clawlab-health";
/** The shared entrypoint. */
export const IMAGE_ENTRYPOINT = "/usr/local/bin/clawlab-entrypoint";

/** The image's ENTRYPOINT: tini as PID 1 (mapping the declared stop exit code to 0), then the shared entrypoint. */
export function imageEntrypoint(decl: RuntimeDeclaration): string[] {
  const stop = decl.image.stopExitCode;
  return ["/usr/bin/tini", ...(stop === undefined ? [] : ["-e", String(stop)]), "--", IMAGE_ENTRYPOINT];
}
/** Where the baked default config of a runtime sits in its image. */
export function bakedConfigPath(baked: string): string {
  return `${IMAGE_SHARE_DIR}/${baked}`;
}
