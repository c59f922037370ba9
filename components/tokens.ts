/**
 * Generated client tokens (gateway/web tokens) derived from one random seed per fleet.
 *
 * Why not a RandomPassword per token: a fleet of N runtimes would register N more
 * resources, each with its own state entry and provider round-trip, for values that
 * only need to be unpredictable and stable. One seed (a RandomPassword, so secret in
 * state) and HKDF-SHA256 give every token its own independent value: knowing one
 * token reveals nothing about the seed or the others. Replacing the seed
 * (`pulumi up --replace <seed URN>`) rotates them all; bumping a runtime's
 * `token_rotation` rotates only that runtime's. Keys to stored data (`encryptsData`)
 * are not tokens: they stay RandomPasswords of their own, which neither rotates.
 */
import { hkdfSync } from "node:crypto";

/** Letters and digits: tokens go into URLs, headers and config files unescaped (as RandomPassword's `special: false` draws them). */
export const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** The largest multiple of the alphabet's size that fits a byte: bytes above it are skipped, so no character is likelier than another. */
const UNBIASED_LIMIT = 256 - (256 % TOKEN_ALPHABET.length);
/** HKDF's output limit for SHA-256 (255 blocks of 32 bytes). */
const HKDF_MAX_BYTES = 255 * 32;

/** What a token is derived for; together these name it uniquely within a seed. */
export interface TokenPurpose {
  /** The fleet's name (the HKDF salt): two fleets sharing a seed still get different tokens. */
  readonly fleet: string;
  /** The runtime the token belongs to. */
  readonly runtime: string;
  /** The generated secret's name (`gatewayToken`). */
  readonly name: string;
  /** Bumped to rotate this token alone; default 0. */
  readonly rotation?: number;
  /** Length in characters. */
  readonly length: number;
}

/**
 * A token of `purpose.length` letters and digits, the same for the same seed and purpose.
 * @throws Error when the seed is empty or the length is not a positive integer
 */
export function deriveToken(seed: string, purpose: TokenPurpose): string {
  if (seed.length === 0) throw new Error("token seed is empty");
  if (!Number.isInteger(purpose.length) || purpose.length < 1) throw new Error(`token length must be a positive integer, got ${purpose.length}`);
  const info = ["clawlab-token/v1", purpose.runtime, purpose.name, String(purpose.rotation ?? 0)].join("\0");
  // Rejection sampling skips ~3% of bytes; twice the length plus slack leaves a miss astronomically unlikely, and the loop below covers it anyway.
  const wanted = Math.min(HKDF_MAX_BYTES, purpose.length * 2 + 32);
  let token = "";
  for (let block = 0; token.length < purpose.length; block++) {
    const bytes = new Uint8Array(hkdfSync("sha256", seed, purpose.fleet, `${info}\0${block}`, wanted));
    for (const byte of bytes) {
      if (byte >= UNBIASED_LIMIT) continue;
      token += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
      if (token.length === purpose.length) break;
    }
  }
  return token;
}
