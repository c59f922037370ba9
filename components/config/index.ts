export { ConfigError, type ConfigIssue } from "./errors";
export { loadCanonical, parseCanonical } from "./load";
export { type SecretRef, VERSION_PATTERN } from "./schema";
export { configKey, pulumiSecretSource, resolveSecrets, type SecretResolver, type SecretSource } from "./secrets";
export { type DeviceSpec, type FleetSpec, type NamedChannel, type NamedProvider, type RuntimeSpec, validateCanonical } from "./validate";
