/**
 * The ClawLab policy pack: the fleet's container conventions as guard rails.
 * Run it with `pulumi preview --policy-pack policy/` (see README.md).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("clawlab", {
  description: "ClawLab Fleet guard rails for Docker containers.",
  enforcementLevel: "mandatory",
  policies,
});
