/**
 * The fleet keeps its own rules: the real program (index.ts) under Pulumi's mocks, with the
 * example config (and with a MimiClaw device added), and every policy of the pack on every
 * resource it registers.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { policies } from "../../policy/policies";
import { EXAMPLE_SECRETS, evaluate } from "../program/harness";
import { check } from "./harness";

const EXAMPLE = path.join(__dirname, "../../clawlab.example.toml");

/** Every violation and advisory note of the pack on the resources of one program run, and the containers checked. */
async function findings(configFile: string, secrets: Record<string, string>): Promise<{ found: string[]; containers: string[] }> {
  vi.resetModules();
  const { resources } = await evaluate(
    { "clawlab:configFile": configFile, "clawlab:localRegistry": "true", ...secrets },
    Object.keys(secrets),
    () => import("../../index"),
  );
  const containers = resources.filter((r) => r.type === "docker:index/container:Container").map((r) => r.name);
  const found: string[] = [];
  for (const resource of resources) {
    for (const policy of policies) {
      const { mandatory, advisory } = await check(policy, resource);
      found.push(...[...mandatory, ...advisory].map((m) => `${policy.name} (${resource.name}): ${m}`));
    }
  }
  return { found, containers };
}

describe("the fleet against its policy pack", () => {
  it("the example config's dev stack complies", async () => {
    const { found, containers } = await findings(EXAMPLE, EXAMPLE_SECRETS);
    expect(containers).toEqual(expect.arrayContaining(["lab-registry-container", "lab-ironclaw-db", "lab-zeroclaw-container"]));
    expect(found).toEqual([]);
  });

  it("a MimiClaw device's broker and bridge comply", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-policy-")), "clawlab.toml");
    fs.writeFileSync(file, `${fs.readFileSync(EXAMPLE, "utf8")}\n${fs.readFileSync(path.join(__dirname, "mimiclaw-device.toml"), "utf8")}`);
    const secrets = { ...EXAMPLE_SECRETS, "clawlab:wifiSsid": "lab-wifi", "clawlab:wifiPassword": "wifi-password-0001" };
    const { found, containers } = await findings(file, secrets);
    expect(containers).toEqual(expect.arrayContaining(["lab-bench-broker", "lab-bench-bridge"]));
    expect(found).toEqual([]);
  });
});
