import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/load-config.js";

const COMPOSE_PATH = new URL("../../docker-compose.yml", import.meta.url);

function dockerComposeAvailable(): boolean {
  try {
    execFileSync("docker-compose", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("docker-compose.yml (scale-out path)", () => {
  const compose = parse(readFileSync(COMPOSE_PATH, "utf8"), { merge: true }) as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        healthcheck?: { test?: string[] };
        volumes?: string[];
        depends_on?: Record<string, { condition?: string }>;
      }
    >;
    volumes: Record<string, unknown>;
  };

  it("runs a three-node Qdrant cluster with replication factor 2, Redis with AOF and noeviction, api and workers", () => {
    const qdrantNodes = Object.keys(compose.services).filter((name) => name.startsWith("qdrant-"));
    expect(qdrantNodes).toHaveLength(3);
    for (const name of qdrantNodes) {
      expect(compose.services[name]!.environment?.QDRANT__CLUSTER__ENABLED).toBe("true");
      expect(compose.services[name]!.healthcheck).toBeDefined();
    }
    expect(compose.services["qdrant-2"]!.command).toContain("--bootstrap");
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(["--appendonly", "yes", "--maxmemory-policy", "noeviction"]));
    expect(compose.services.api!.environment).toMatchObject({
      QDRANT_URL: "http://qdrant-1:6333",
      REDIS_URL: "redis://redis:6379",
      RAGLINE_QDRANT_REPLICATION_FACTOR: "2",
    });
    expect(compose.services.worker!.command).toEqual(["npm", "run", "worker"]);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["postgres-data", "redis-data", "ragline-data", "qdrant-1-storage"]));
  });

  it("runs PostgreSQL on a named volume with a pg_isready health check; api and workers wait for it and get DATABASE_URL", () => {
    const postgres = compose.services.postgres!;
    expect(postgres.volumes).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    expect(Object.keys(compose.volumes)).toContain("postgres-data");
    expect(postgres.healthcheck?.test).toEqual(expect.arrayContaining(["pg_isready"]));
    for (const name of ["api", "worker"]) {
      expect(compose.services[name]!.depends_on?.postgres).toEqual({ condition: "service_healthy" });
      expect(compose.services[name]!.depends_on?.redis).toEqual({ condition: "service_healthy" });
      expect(compose.services[name]!.environment?.DATABASE_URL).toMatch(/^postgres:\/\/ragline:.*@postgres:5432\/ragline$/);
    }
  });

  it("gives the api and the workers an environment Ragline's configuration accepts", () => {
    for (const name of ["api", "worker"]) {
      const environment = Object.fromEntries(
        Object.entries(compose.services[name]!.environment ?? {}).map(([key, value]) => [key, String(value).replace(/\$\{[^}]*\}/g, "")]),
      );
      const { config } = loadConfig({ environment, cwd: "/" });
      expect(config.qdrant).toMatchObject({ url: "http://qdrant-1:6333", shardNumber: 6, replicationFactor: 2 });
      expect(config.redis.url).toBe("redis://redis:6379");
      expect(config.database.url).toMatch(/^postgres:\/\/ragline:@?.*postgres:5432\/ragline$/);
    }
  });

  it.runIf(dockerComposeAvailable())("passes `docker-compose config`", () => {
    execFileSync("docker-compose", ["-f", COMPOSE_PATH.pathname, "config", "-q"], { stdio: "pipe" });
  });
});
