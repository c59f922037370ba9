import * as docker from "@pulumi/docker";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/** An image ID (`sha256:<hex>`) or a reference pinned by digest (`name[:tag]@sha256:<hex>`). */
const BY_DIGEST = /^(?:sha256:[0-9a-f]{64}|[^\s@]+@sha256:[0-9a-f]{64})$/;

/** What is wrong with an image reference, or undefined when it is pinned (or not known yet). */
function tagProblem(field: string, ref: string | undefined): string | undefined {
  // A computed value is not known during a preview: nothing to judge until the update. (Read
  // through @pulumi/policy's proxy an unknown throws, which it reports as advisory instead.)
  if (ref === undefined || BY_DIGEST.test(ref)) return undefined;
  return (
    `${field} "${ref}" is not pinned by digest, so what runs can change under the same name. ` +
    `Reference it as name:tag@sha256:<digest> (docker buildx imagetools inspect <name:tag> prints it), ` +
    "or run the image ID of a docker.RemoteImage pulled that way."
  );
}

/**
 * Images are referenced by digest: a container runs an image ID or `name@sha256:...`, and a
 * `docker.RemoteImage` pulls `name@sha256:...`. The pull is checked too, since the ID a
 * container runs is a digest even when the pull it comes from followed a moving tag.
 */
export const imageByDigest: ResourceValidationPolicy = {
  name: "image-by-digest",
  description: "Containers and pulled images reference images by digest, never by a tag alone.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(docker.Container, (container, _args, reportViolation) => {
      const problem = tagProblem("image", container.image);
      if (problem) reportViolation(problem);
    }),
    validateResourceOfType(docker.RemoteImage, (image, _args, reportViolation) => {
      const problem = tagProblem("name", image.name);
      if (problem) reportViolation(problem);
    }),
  ],
};
