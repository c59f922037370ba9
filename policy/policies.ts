/** Every policy of the ClawLab pack, in the order they are reported. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { dockerSocketOptIn } from "./docker-socket";
import { dropAllCapabilities, noNewPrivileges } from "./hardening";
import { healthcheck } from "./healthcheck";
import { imageByDigest } from "./image-digest";
import { noPlaintextSecretEnv } from "./no-plaintext-secret-env";
import { noPrivileged } from "./no-privileged";
import { nonRootUser } from "./non-root-user";
import { restartPolicy } from "./restart-policy";

export const policies: ResourceValidationPolicy[] = [
  nonRootUser,
  healthcheck,
  restartPolicy,
  imageByDigest,
  noPlaintextSecretEnv,
  noPrivileged,
  dockerSocketOptIn,
  dropAllCapabilities,
  noNewPrivileges,
];
