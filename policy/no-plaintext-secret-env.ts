/**
 * No secret in a container's plain environment.
 *
 * What a policy can see of secrets: @pulumi/policy hands `validateResource` every input with
 * secrets unwrapped, so a `pulumi.secret()` value and a literal look the same
 * (pulumi/pulumi-policy#241). Only `remediateResource` gets the engine's secret markers: each
 * secret value is a `Secret` object behind a proxy that unwraps it on read, and still there
 * when the property is looked up with `Object.getOwnPropertyDescriptor`.
 *
 * So this policy runs at enforcement level `remediate`. Its remediation changes nothing: it
 * notes, per resource, the env entries that look secret but are plain. The engine remediates
 * and then validates each resource, in the same policy-pack process; the validation reports
 * what the remediation noted, and @pulumi/policy reports a violation of a `remediate` policy
 * as mandatory. If the policy is configured to another level, no remediation runs: then the
 * validation cannot tell secret from plain and reports every secret-looking entry, saying so.
 */
import * as docker from "@pulumi/docker";
import {
  remediateResourceOfType,
  type ReportViolation,
  type ResourceValidationPolicy,
  Secret,
  UnknownValueError,
  validateResourceOfType,
} from "@pulumi/policy";

/** Words that make an env var's name say it holds a secret. */
const SECRET_WORDS = new Set([
  "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pwd", "passphrase",
  "key", "keys", "apikey", "credential", "credentials",
]);

/** Value formats of well-known credentials. */
const KEY_FORMATS = [
  { label: "an OpenAI or Anthropic API key (sk-…)", pattern: /\bsk-[A-Za-z0-9_-]{16,}/ },
  { label: "a GitHub token (ghp_…, github_pat_…)", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { label: "a Slack token (xox…)", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { label: "a GitLab token (glpat-…)", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { label: "an AWS access key id (AKIA…)", pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  { label: "a Telegram bot token", pattern: /\b\d{8,10}:[A-Za-z0-9_-]{35}\b/ },
  { label: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { label: "a URL with a password", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i },
];

/**
 * Why an env entry (`NAME=value`) looks like it holds a secret, or undefined. The answer
 * never quotes the value. `NAME_FILE=/path` is a reference to a secret file, not a secret.
 */
export function secretLook(entry: string): string | undefined {
  const eq = entry.indexOf("=");
  const name = entry.slice(0, Math.max(eq, 0));
  const value = entry.slice(eq + 1);
  if (eq <= 0 || value === "") return undefined;
  const format = KEY_FORMATS.find((f) => f.pattern.test(value));
  if (format) return `its value looks like ${format.label}`;
  const words = name
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
  const reference = words[words.length - 1] === "file" && value.startsWith("/");
  if (!reference && words.some((w) => SECRET_WORDS.has(w))) return "its name says it holds a secret";
  return undefined;
}

/** A property's stored value: a `Secret` where the engine marked one (in a remediation). */
function stored(holder: object, key: string | number): unknown {
  return Object.getOwnPropertyDescriptor(holder, key)?.value;
}

/** One env entry that looks secret and is not marked secret. */
interface PlainSecret {
  readonly index: number;
  readonly name: string;
  readonly why: string;
}

/**
 * The container's env entries that look secret and carry no secret marker. Entries not
 * known yet (a preview) are skipped; a whole `envs` not known yet throws @pulumi/policy's
 * UnknownValueError, which it reports as "can't run during preview".
 */
function plainSecrets(props: Record<string, unknown>): PlainSecret[] {
  // A secret list (the runtimes' whole env is one secret) holds nothing plain, known or not.
  if (stored(props, "envs") instanceof Secret) return [];
  const envs = (props.envs ?? []) as unknown[];
  const found: PlainSecret[] = [];
  for (let index = 0; index < envs.length; index++) {
    let entry: unknown;
    try {
      entry = envs[index];
    } catch (error) {
      if (error instanceof UnknownValueError) continue;
      throw error;
    }
    const marked = stored(envs, index) instanceof Secret;
    const text = entry instanceof Secret ? entry.value : entry;
    const why = typeof text === "string" ? secretLook(text) : undefined;
    if (why && !marked) found.push({ index, name: (text as string).split("=")[0]!, why });
  }
  return found;
}

/** What the remediation pass found, by resource URN, for the validation pass that follows. */
const foundByRemediation = new Map<string, PlainSecret[]>();

/** Reports each finding; `certain` when a remediation pass saw the secret markers. */
function report(found: PlainSecret[], reportViolation: ReportViolation, certain: boolean) {
  for (const { index, name, why } of found) {
    const what = `envs[${index}] ${name}: ${why}`;
    reportViolation(
      certain
        ? `${what}, and it is plain text: it would be stored unencrypted in the state and shown in previews. ` +
            "Pass it as pulumi.secret(...), or upload it as a file and give its path in a <NAME>_FILE variable."
        : `${what}, and this policy cannot tell whether it is a Pulumi secret: @pulumi/policy shows secret markers only ` +
            'to a remediation. Run the policy at its default enforcementLevel "remediate".',
    );
  }
}

/** Env entries that look like secrets are Pulumi secrets (see the top of this file for how). */
export const noPlaintextSecretEnv: ResourceValidationPolicy = {
  name: "no-plaintext-secret-env",
  description:
    "A container env entry that looks like a secret (by its name, or a known key format) is a Pulumi secret. " +
    'Runs at "remediate" to see secret markers; changes nothing, reports as mandatory.',
  enforcementLevel: "remediate",
  remediateResource: remediateResourceOfType(docker.Container, (_container, args) => {
    foundByRemediation.set(args.urn, plainSecrets(args.props));
    return undefined;
  }),
  validateResource: validateResourceOfType(docker.Container, (_container, args, reportViolation) => {
    const found = foundByRemediation.get(args.urn);
    foundByRemediation.delete(args.urn);
    if (found) report(found, reportViolation, true);
    else report(plainSecrets(args.props), reportViolation, false);
  }),
};
