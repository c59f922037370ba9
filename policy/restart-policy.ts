import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/** Restart policies that bring a container back after a crash and after the engine restarts. */
const RESTARTING = ["unless-stopped", "always"];

/** Containers come back by themselves; the provider's default is `no`. */
export const restartPolicy: ResourceValidationPolicy = {
  name: "container-restart-policy",
  description: 'Containers set restart to "unless-stopped" or "always".',
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    if (container.restart !== undefined && RESTARTING.includes(container.restart)) return;
    const found = container.restart === undefined ? 'restart is not set (the provider defaults to "no")' : `restart is "${container.restart}"`;
    reportViolation(`${found}. Set restart: "unless-stopped" so the container survives crashes and engine restarts.`);
  }),
};
