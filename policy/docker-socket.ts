import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as path from "node:path";
import { DOCKER_SOCKET_LABEL, DOCKER_SOCKET_OPT_IN, labelValue } from "./docker";

/**
 * Host paths that hand over the Docker API: the socket itself, and the directories that
 * hold it (mounting one of those exposes the socket just the same).
 */
const SOCKET_PATHS = new Set(["/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run", "/"]);

/** True when a host path is, or directly exposes, the Docker socket. */
function exposesDockerSocket(hostPath: string | undefined): boolean {
  return hostPath !== undefined && SOCKET_PATHS.has(path.posix.normalize(`${hostPath}/`).replace(/(.)\/$/, "$1"));
}

/**
 * The host's Docker socket is root on the host for whoever controls the container, so it is
 * mounted only where the fleet opted in: the container carries the label
 * `dev.clawlab.docker-socket=opt-in` (set from `docker_socket = true` in the canonical config).
 */
export const dockerSocketOptIn: ResourceValidationPolicy = {
  name: "docker-socket-opt-in",
  description: `The host's Docker socket is mounted only into containers labelled ${DOCKER_SOCKET_LABEL}=${DOCKER_SOCKET_OPT_IN}.`,
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    const found = [
      ...(container.mounts ?? []).flatMap((m, i) => (exposesDockerSocket(m.source) ? [`mounts[${i}].source "${m.source}"`] : [])),
      ...(container.volumes ?? []).flatMap((v, i) => (exposesDockerSocket(v.hostPath) ? [`volumes[${i}].hostPath "${v.hostPath}"`] : [])),
    ];
    if (found.length === 0 || labelValue(container, DOCKER_SOCKET_LABEL) === DOCKER_SOCKET_OPT_IN) return;
    for (const field of found) {
      reportViolation(
        `${field} mounts the host's Docker socket, which is root on the host for whoever controls this container. ` +
          `Remove the mount (prefer a remote engine over ssh://), or opt in explicitly with the label ${DOCKER_SOCKET_LABEL}=${DOCKER_SOCKET_OPT_IN} ` +
          "(the fleet sets it for a runtime with docker_socket = true).",
      );
    }
  }),
};
