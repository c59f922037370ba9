import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { dropsAllCapabilities } from "./docker";

/** Docker's spellings of the no-new-privileges security option. */
const NO_NEW_PRIVILEGES = /^no-new-privileges(?:[:=]true)?$/;

/** Containers drop every Linux capability; one the workload needs is added back by name. */
export const dropAllCapabilities: ResourceValidationPolicy = {
  name: "container-drops-capabilities",
  description: 'Containers drop every Linux capability (capabilities.drops ["ALL"]).',
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    if (!dropsAllCapabilities(container)) {
      reportViolation(
        `capabilities.drops is ${JSON.stringify(container.capabilities?.drops ?? [])}, so the container keeps Docker's default capabilities. ` +
          'Set capabilities: { drops: ["ALL"] }, and capabilities.adds for one it really needs.',
      );
    }
    if ((container.capabilities?.adds ?? []).some((c) => c.toUpperCase() === "ALL")) {
      reportViolation('capabilities.adds holds "ALL", which gives back every capability. Add only the ones the workload needs.');
    }
  }),
};

/** Containers cannot gain privileges through setuid binaries or file capabilities. */
export const noNewPrivileges: ResourceValidationPolicy = {
  name: "container-no-new-privileges",
  description: 'Containers set the security option "no-new-privileges:true".',
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    if (!(container.securityOpts ?? []).some((o) => NO_NEW_PRIVILEGES.test(o))) {
      reportViolation('securityOpts lacks "no-new-privileges:true", so a setuid binary in the image can regain root. Add it to securityOpts.');
    }
  }),
};
