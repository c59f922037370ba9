/**
 * Prints a runtime's image build arguments, read from its declaration, as GitHub Actions
 * step outputs, for the images workflow (.github/workflows/image-build.yml):
 *
 *   npx tsx scripts/runtime-build-args.ts zeroclaw >> "$GITHUB_OUTPUT"
 *   version=v0.8.4
 *   revision=a56c345d51dd8ab562e9351e0d4ab83f6a741db9
 *
 * The same values the Pulumi program builds with by default, so CI publishes what
 * `pulumi up` would build.
 */
import { declarations } from "../runtimes";

/** The `VERSION` and `REVISION` build args of a runtime's image at its declared default. */
export function runtimeBuildArgs(name: string): { version: string; revision: string } {
  const decl = declarations.find((d) => d.name === name);
  if (!decl) throw new Error(`unknown runtime "${name}"; known: ${declarations.map((d) => d.name).join(", ")}`);
  return { version: decl.defaultVersion, revision: decl.defaultRevision ?? "" };
}

if (require.main === module) {
  try {
    const { version, revision } = runtimeBuildArgs(process.argv[2] ?? "");
    process.stdout.write(`version=${version}\nrevision=${revision}\n`);
  } catch (error) {
    process.stderr.write(`runtime-build-args: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
