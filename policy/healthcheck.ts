import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/**
 * Containers declare a health probe. The container's own `healthcheck` is what counts: an
 * image's HEALTHCHECK is invisible to a plan, and `tests: ["NONE"]` switches it off.
 */
export const healthcheck: ResourceValidationPolicy = {
  name: "container-healthcheck",
  description: "Containers declare a healthcheck (a CMD or CMD-SHELL probe, not NONE).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    const tests = container.healthcheck?.tests ?? [];
    const [kind, ...command] = tests;
    if ((kind === "CMD" || kind === "CMD-SHELL") && command.length > 0) return;
    const found =
      tests.length === 0
        ? "healthcheck is not set"
        : kind === "NONE"
          ? 'healthcheck.tests is ["NONE"], which disables the probe'
          : `healthcheck.tests ${JSON.stringify(tests)} is not a probe`;
    reportViolation(
      `${found}. Set healthcheck: { tests: ["CMD", "<probe>", ...] } (or ["CMD-SHELL", "<command>"]) with an interval, timeout and retries.`,
    );
  }),
};
