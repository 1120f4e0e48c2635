import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientFaultOf, handleError, isDependencyUnreachable } from "../../../src/http/error-handler.js";
import type { AppEnv } from "../../../src/http/app-env.js";
import { recordingLogger } from "../../helpers/recording-logger.js";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("errors that are not our fault", () => {
  it("tells a database or cache that cannot be reached from our own bugs", () => {
    expect(isDependencyUnreachable(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(true);
    expect(isDependencyUnreachable(withCode("terminating connection due to administrator command", "57P01"))).toBe(true);
    expect(isDependencyUnreachable(withCode("sorry, too many clients already", "53300"))).toBe(true);
    expect(isDependencyUnreachable(new Error("wrapped", { cause: withCode("connection failure", "08006") }))).toBe(true);
    expect(isDependencyUnreachable(new Error("Connection is closed."))).toBe(true);
    expect(isDependencyUnreachable(withCode('duplicate key value violates unique constraint "pk"', "23505"))).toBe(false);
    expect(isDependencyUnreachable(new TypeError("Cannot read properties of undefined"))).toBe(false);
  });

  it("tells a client that went away or sent broken framing", () => {
    expect(clientFaultOf(withCode("aborted", "ECONNRESET"))).toBe("gone");
    expect(clientFaultOf(withCode("Parse Error: Invalid character in chunk size", "HPE_INVALID_CHUNK_SIZE"))).toBe("malformed");
    expect(clientFaultOf(withCode("read ECONNRESET", "ECONNRESET"))).toBeNull();
  });

  it("answers 503 with Retry-After for an unreachable dependency, logged as a warning, and 500 for a bug", async () => {
    const logger = recordingLogger();
    const app = new Hono<AppEnv>();
    app.use("*", async (context, next) => {
      context.set("logger", logger);
      await next();
    });
    app.onError(handleError);
    app.get("/db-down", () => {
      throw withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED");
    });
    app.get("/bug", () => {
      throw new TypeError("Cannot read properties of undefined");
    });
    const down = await app.request("/db-down");
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("1");
    expect(await down.json()).toMatchObject({ error: { code: "upstream_unavailable" } });
    expect((await app.request("/bug")).status).toBe(500);
    expect(logger.lines.map((line) => line.level)).toEqual(["warn", "error"]);
  });
});
