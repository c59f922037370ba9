/**
 * What the ClawLab policies share: the labels a container carries to opt in to something
 * the pack otherwise forbids, and small readers of Docker container inputs.
 */
import type * as docker from "@pulumi/docker";
import type { Unwrap } from "@pulumi/pulumi";

/** A `docker.Container`'s inputs as a policy sees them (Outputs resolved). */
export type ContainerProps = Unwrap<docker.ContainerArgs>;

/**
 * Opts a container in to a mount of the host's Docker socket; value `opt-in`. The fleet sets
 * it where the canonical config says `docker_socket = true`.
 */
export const DOCKER_SOCKET_LABEL = "dev.clawlab.docker-socket";
/** The only value of {@link DOCKER_SOCKET_LABEL} that opts in. */
export const DOCKER_SOCKET_OPT_IN = "opt-in";
/**
 * Lets a container whose image cannot run unprivileged run as root; its value says why. It
 * counts only together with every capability dropped.
 */
export const RUN_AS_ROOT_LABEL = "dev.clawlab.run-as-root";

/** The value of one of a container's labels, or undefined. */
export function labelValue(container: ContainerProps, name: string): string | undefined {
  return container.labels?.find((l) => l.label === name)?.value;
}

/** True when the container drops every Linux capability (`capabilities.drops` holds `ALL`). */
export function dropsAllCapabilities(container: ContainerProps): boolean {
  return (container.capabilities?.drops ?? []).some((c) => c.toUpperCase() === "ALL");
}
