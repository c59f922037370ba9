import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { dropsAllCapabilities, labelValue, RUN_AS_ROOT_LABEL } from "./docker";

/** `uid` or `uid:gid`, numeric and neither of them 0. */
const NUMERIC_NON_ROOT = /^[1-9]\d*(?::[1-9]\d*)?$/;

/** What is wrong with a container's `user`, or undefined when it is a numeric non-root uid. */
function userProblem(user: string | undefined): string | undefined {
  if (user === undefined || user === "") return "user is not set, so the image's USER decides (often root)";
  if (NUMERIC_NON_ROOT.test(user)) return undefined;
  const [uid = "", gid] = user.split(":");
  if (uid === "0" || uid === "root") return `user "${user}" is root`;
  if (gid === "0" || gid === "root") return `user "${user}" runs in the root group`;
  // A name is resolved by the image's /etc/passwd at start; the plan cannot see what it maps to.
  return `user "${user}" is a name, which cannot be proven non-root before the image resolves it`;
}

/**
 * Containers run as a numeric non-root uid. A user name is refused too: whether `postgres`
 * or `app` is uid 0 depends on the image, which a plan does not show. An image that cannot
 * run unprivileged may be exempted, visibly: label {@link RUN_AS_ROOT_LABEL} with the reason,
 * and drop every capability, so its root can do no more than its own files allow.
 */
export const nonRootUser: ResourceValidationPolicy = {
  name: "container-non-root-user",
  description: "Containers run as a numeric non-root uid[:gid].",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
    const problem = userProblem(container.user);
    if (problem === undefined) return;
    const reason = labelValue(container, RUN_AS_ROOT_LABEL);
    if (reason && dropsAllCapabilities(container)) return;
    const exemption = reason
      ? `; the ${RUN_AS_ROOT_LABEL} label exempts a container only with capabilities.drops ["ALL"]`
      : `; an image that cannot run unprivileged needs the label ${RUN_AS_ROOT_LABEL}=<why> and capabilities.drops ["ALL"]`;
    reportViolation(`${problem}. Set user to the image's numeric non-root uid:gid, e.g. user: "10001:10001"${exemption}.`);
  }),
};
