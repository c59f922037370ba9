import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/** No privileged containers: privileged mode is root on the host, with every device. */
export const noPrivileged: ResourceValidationPolicy = {
  name: "container-not-privileged",
  description: "Containers never run in privileged mode.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    if (container.privileged === true) {
      reportViolation(
        "privileged is true, which gives the container every capability and device of the host. " +
          "Remove it; add the one capability or device the workload needs (capabilities.adds, devices) instead.",
      );
    }
  }),
};
