/**
 * Third-party images the fleet runs beside the runtimes, pinned by digest with their
 * readable tag kept. Bump tag and digest together.
 */
export const PINNED_IMAGES = {
  /** The dev stack's own registry (distribution 2.8.3). */
  registry: "registry:2.8.3@sha256:a3d8aaa63ed8681a604f1dea0aa03f100d5895b6a58ace528858a7b332415373",
  /** IronClaw's database: PostgreSQL 16 with pgvector, as upstream recommends. */
  postgres: "pgvector/pgvector:0.8.0-pg16@sha256:a132765ec351c65111b5b675928a3a0515a466a40f97277329db8b8209ad8bc9",
} as const;
