import { describe, expect, it } from "vitest";
import { deriveToken, type TokenPurpose } from "../../components/tokens";

const SEED = "s33d-of-sixty-four-letters-and-digits-0123456789abcdefghijklmnopq";
const purpose: TokenPurpose = { fleet: "lab", runtime: "zeroclaw", name: "gatewayToken", length: 48 };

describe("deriveToken", () => {
  it("is stable: the same seed and purpose give the same token", () => {
    expect(deriveToken(SEED, purpose)).toBe(deriveToken(SEED, { ...purpose }));
  });

  it("gives the requested number of letters and digits", () => {
    for (const length of [1, 16, 48, 64, 500]) {
      const token = deriveToken(SEED, { ...purpose, length });
      expect(token).toHaveLength(length);
      expect(token).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it("differs for every part of the purpose and for another seed", () => {
    const base = deriveToken(SEED, purpose);
    const variants = [
      deriveToken(`${SEED}x`, purpose),
      deriveToken(SEED, { ...purpose, fleet: "prod" }),
      deriveToken(SEED, { ...purpose, runtime: "nullclaw" }),
      deriveToken(SEED, { ...purpose, name: "webToken" }),
      deriveToken(SEED, { ...purpose, rotation: 1 }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("keeps fields apart: moving a character between runtime and name changes the token", () => {
    expect(deriveToken(SEED, { ...purpose, runtime: "ab", name: "c" })).not.toBe(deriveToken(SEED, { ...purpose, runtime: "a", name: "bc" }));
  });

  it("draws one stream per purpose: a shorter token is the longer one's prefix", () => {
    expect(deriveToken(SEED, { ...purpose, length: 64 }).startsWith(deriveToken(SEED, { ...purpose, length: 20 }))).toBe(true);
  });

  it("spreads characters evenly over the alphabet (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (let rotation = 0; rotation < 200; rotation++) {
      for (const c of deriveToken(SEED, { ...purpose, rotation, length: 310 })) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    // 62,000 draws, 1,000 expected per character: a biased mapping of bytes would push the first 8 characters to ~1,210.
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(850);
      expect(n).toBeLessThan(1150);
    }
  });

  it("refuses an empty seed and a bad length", () => {
    expect(() => deriveToken("", purpose)).toThrow(/seed is empty/);
    expect(() => deriveToken(SEED, { ...purpose, length: 0 })).toThrow(/positive integer/);
    expect(() => deriveToken(SEED, { ...purpose, length: 2.5 })).toThrow(/positive integer/);
  });
});
