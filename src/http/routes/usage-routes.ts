import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ForbiddenError, ValidationError } from "../../core/errors.js";
import { USAGE_GROUPS, type UsageGroup, type UsageLedger } from "../../ports/usage-ledger.js";
import type { AppEnv } from "../app-env.js";
import { validationHook } from "../openapi-hook.js";
import { usageExample } from "../openapi-examples.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RANGE_DAYS = 366;

const querySchema = z.object({
  from: z
    .string()
    .datetime({ offset: true, message: "an ISO-8601 time, e.g. 2026-11-01T00:00:00Z" })
    .optional()
    .openapi({ description: "Default: 30 days before `to`" }),
  to: z
    .string()
    .datetime({ offset: true, message: "an ISO-8601 time, e.g. 2026-12-01T00:00:00Z" })
    .optional()
    .openapi({ description: "Exclusive; default: now" }),
  group_by: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: `Comma-separated: ${USAGE_GROUPS.join(", ")}` }),
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional()
    .openapi({ description: "Admin keys only: one tenant (default: all)" }),
});

const totalsSchema = z
  .object({
    group: z.record(z.string(), z.string().nullable()),
    calls: z.number(),
    failed_calls: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cached_tokens: z.number(),
    cost_usd: z.number(),
  })
  .openapi("UsageTotals");

function groupsOf(value: string | undefined): UsageGroup[] {
  if (!value) return [];
  const groups = value.split(",").map((group) => group.trim());
  const unknown = groups.filter((group) => !(USAGE_GROUPS as readonly string[]).includes(group));
  if (unknown.length > 0) {
    throw new ValidationError(`unknown group_by ${unknown.join(", ")}`, [{ path: "group_by", message: `one or more of ${USAGE_GROUPS.join(", ")}` }]);
  }
  return groups as UsageGroup[];
}

/**
 * `GET /v1/usage`: model calls from the usage ledger, summed per group (day, model, prompt version,
 * key, task, tenant). A tenant's key sees its own tenant; an admin key sees every tenant or one.
 */
export function usageRoutes(deps: { usageLedger: UsageLedger }): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const route = createRoute({
    method: "get",
    path: "/",
    tags: ["usage"],
    summary: "Model tokens, cost and calls from the usage ledger, grouped by day, model, prompt version, key, task or tenant",
    request: { query: querySchema },
    responses: {
      200: {
        description: "Totals per group",
        content: jsonContent(
          z.object({ from: z.string(), to: z.string(), group_by: z.array(z.string()), totals: z.array(totalsSchema) }).openapi({ example: usageExample }),
        ),
      },
      ...errorResponses(400, 401, 403),
    },
  });
  routes.openapi(route, async (context) => {
    const query = context.req.valid("query");
    const principal = context.get("principal");
    const isAdmin = principal.scopes.has("admin");
    if (query.tenant !== undefined && !isAdmin && query.tenant !== principal.tenant) {
      throw new ForbiddenError("only an admin key reads another tenant's usage", { details: { required_scope: "admin" } });
    }
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (!(from < to) || to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new ValidationError(`from must be before to, at most ${MAX_RANGE_DAYS} days apart`, [{ path: "from", message: "range" }]);
    }
    const groupBy = groupsOf(query.group_by);
    const tenant = isAdmin ? query.tenant : principal.tenant;
    const totals = await deps.usageLedger.totals({ tenant, from: from.toISOString(), to: to.toISOString(), groupBy });
    return context.json(
      {
        from: from.toISOString(),
        to: to.toISOString(),
        group_by: groupBy,
        totals: totals.map((row) => ({
          group: Object.fromEntries(Object.entries(row.group).map(([key, value]) => [key, value ?? null])),
          calls: row.calls,
          failed_calls: row.failedCalls,
          input_tokens: row.inputTokens,
          output_tokens: row.outputTokens,
          cached_tokens: row.cachedTokens,
          cost_usd: row.costUsd,
        })),
      },
      200,
    );
  });
  return routes;
}
