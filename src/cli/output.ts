// How the CLI prints: JSON for scripts (--json), or lines and tables for people.

const out = (text: string) => process.stdout.write(text);

/** Writes `value` as JSON when `json`, else what `human` renders. */
export function print(value: unknown, json: boolean, human: () => string): void {
  out(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Rows as aligned columns under a header line; "(none)" for no rows. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? "")));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((cell) => cell[index]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]!))
      .join("  ")
      .trimEnd();
  return [line(columns), ...cells.map(line)].join("\n");
}
