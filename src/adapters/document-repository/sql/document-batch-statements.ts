import type { Kysely, Selectable, Transaction } from "kysely";
import type { DocumentRecord, DocumentRecordChange } from "../../../ports/document-repository.js";
import type { DocumentsTable, SqlDatabase } from "../../sql/sql-schema.js";
import { recordFromRow, rowPatch } from "./document-rows.js";

/** Ids per statement: far below SQLite's and PostgreSQL's parameter limits. */
const IDS_PER_STATEMENT = 500;

const keyOf = (tenant: string, id: string) => `${tenant}\u0000${id}`;

/** Records of `keys`, in order (null where none): one query per tenant and IDS_PER_STATEMENT ids. */
export async function selectDocuments(db: Kysely<SqlDatabase>, keys: Array<{ tenant: string; id: string }>): Promise<Array<DocumentRecord | null>> {
  const byTenant = new Map<string, Set<string>>();
  for (const { tenant, id } of keys) byTenant.set(tenant, (byTenant.get(tenant) ?? new Set()).add(id));
  const found = new Map<string, DocumentRecord>();
  for (const [tenant, ids] of byTenant) {
    for (const slice of slices([...ids])) {
      const rows = await db.selectFrom("documents").selectAll().where("tenant", "=", tenant).where("id", "in", slice).execute();
      for (const row of rows) found.set(keyOf(row.tenant, row.id), recordFromRow(row as Selectable<DocumentsTable>));
    }
  }
  return keys.map(({ tenant, id }) => found.get(keyOf(tenant, id)) ?? null);
}

/**
 * Applies `changes` in one transaction and returns, in order, whether each was applied: a change
 * applies while its record exists and, when it names a `jobId`, while the record still names that
 * job. Changes with the same patch and tenant share one UPDATE.
 */
export async function updateDocuments(db: Kysely<SqlDatabase>, changes: DocumentRecordChange[], now: string): Promise<boolean[]> {
  const groups = new Map<string, { tenant: string; columns: Partial<DocumentsTable>; members: number[] }>();
  changes.forEach((change, index) => {
    const columns = { updated_at: now, ...rowPatch(change.patch) };
    const conditioned = change.jobId !== undefined;
    const groupKey = JSON.stringify([change.tenant, conditioned, columns]);
    const group = groups.get(groupKey) ?? { tenant: change.tenant, columns, members: [] };
    group.members.push(index);
    groups.set(groupKey, group);
  });
  const applied = changes.map(() => false);
  if (changes.length === 0) return applied;
  await db.transaction().execute(async (transaction) => {
    for (const group of groups.values()) {
      for (const members of slices(group.members)) {
        const done = await updateGroup(
          transaction,
          group.tenant,
          group.columns,
          members.map((index) => changes[index]!),
        );
        for (const index of members) if (done.has(keyOf(group.tenant, changes[index]!.id))) applied[index] = true;
      }
    }
  });
  return applied;
}

async function updateGroup(
  db: Transaction<SqlDatabase>,
  tenant: string,
  columns: Partial<DocumentsTable>,
  changes: DocumentRecordChange[],
): Promise<Set<string>> {
  let query = db.updateTable("documents").set(columns).where("tenant", "=", tenant);
  if (changes[0]!.jobId === undefined) {
    query = query.where(
      "id",
      "in",
      changes.map((change) => change.id),
    );
  } else {
    query = query.where((eb) =>
      eb(
        eb.refTuple("id", "job_id"),
        "in",
        changes.map((change) => eb.tuple(change.id, change.jobId!)),
      ),
    );
  }
  const rows = await query.returning(["tenant", "id"]).execute();
  return new Set(rows.map((row) => keyOf(row.tenant, row.id)));
}

function slices<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += IDS_PER_STATEMENT) result.push(items.slice(start, start + IDS_PER_STATEMENT));
  return result;
}
