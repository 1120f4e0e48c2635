import { sql, type Kysely, type RawBuilder } from "kysely";
import type { SqlState } from "../../sql/open-database.js";
import type { SqlDatabase } from "../../sql/sql-schema.js";
import type { UsageEntry, UsageGroup, UsageLedger, UsageTotals } from "../../../ports/usage-ledger.js";

/** The SQL expression of each group (`day`: the date part of the ISO timestamp, the same on SQLite and PostgreSQL). */
const GROUP_EXPRESSIONS: Record<UsageGroup, RawBuilder<string | null>> = {
  day: sql<string>`substr(created_at, 1, 10)`,
  model: sql<string>`model`,
  prompt_version: sql<string>`prompt_version`,
  key: sql<string | null>`key_id`,
  task: sql<string>`task`,
  tenant: sql<string>`tenant`,
};

/** UsageLedger on the `usage` table (SQLite embedded, PostgreSQL in server mode). */
export class SqlUsageLedger implements UsageLedger {
  private readonly db: Kysely<SqlDatabase>;

  constructor(state: Pick<SqlState, "db">) {
    this.db = state.db;
  }

  async record(entry: UsageEntry): Promise<void> {
    const { call } = entry;
    await this.db
      .insertInto("usage")
      .values({
        id: entry.id,
        tenant: call.tenant,
        key_id: call.keyId ?? null,
        task: call.task,
        provider: call.provider,
        model: call.model,
        prompt_version: call.promptVersion,
        input_tokens: call.usage.inputTokens,
        output_tokens: call.usage.outputTokens,
        cached_tokens: call.usage.cachedTokens,
        cost_usd: entry.costUsd,
        latency_ms: call.latencyMs,
        outcome: call.outcome,
        created_at: entry.createdAt,
      })
      .onConflict((conflict) => conflict.column("id").doNothing())
      .execute();
  }

  async totals(options: { tenant?: string; from: string; to: string; groupBy: readonly UsageGroup[] }): Promise<UsageTotals[]> {
    const groups = [...new Set(options.groupBy)];
    let query = this.db
      .selectFrom("usage")
      .where("created_at", ">=", options.from)
      .where("created_at", "<", options.to)
      .select((eb) => [
        eb.fn.countAll<string | number>().as("calls"),
        eb.fn.sum<string | number>("input_tokens").as("input_tokens"),
        eb.fn.sum<string | number>("output_tokens").as("output_tokens"),
        eb.fn.sum<string | number>("cached_tokens").as("cached_tokens"),
        eb.fn.sum<string | number>("cost_usd").as("cost_usd"),
        sql<string | number>`sum(case when outcome = 'ok' then 0 else 1 end)`.as("failed_calls"),
      ]);
    if (options.tenant !== undefined) query = query.where("tenant", "=", options.tenant);
    for (const group of groups) {
      query = query
        .select(GROUP_EXPRESSIONS[group].as(`group_${group}`))
        .groupBy(GROUP_EXPRESSIONS[group])
        .orderBy(GROUP_EXPRESSIONS[group]);
    }
    const rows = (await query.execute()) as Array<Record<string, string | number | null>>;
    return rows
      .filter((row) => Number(row.calls) > 0)
      .map((row) => ({
        group: Object.fromEntries(groups.map((group) => [group, (row[`group_${group}`] as string | null) ?? null])),
        calls: Number(row.calls),
        inputTokens: Number(row.input_tokens ?? 0),
        outputTokens: Number(row.output_tokens ?? 0),
        cachedTokens: Number(row.cached_tokens ?? 0),
        costUsd: Number(row.cost_usd ?? 0),
        failedCalls: Number(row.failed_calls ?? 0),
      }));
  }
}
