import {
  Float32,
  Int32,
  makeData,
  RecordBatch,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
  type Data,
  type Field,
  type FixedSizeList,
  type Schema,
} from "apache-arrow";
import type { ChunkRow } from "./lancedb-schema.js";

/**
 * The rows as one Arrow table of `schema` (the chunks table's), built column by column: the vectors
 * are copied once into one Float32Array behind the fixed-size-list column and the integers into
 * Int32Arrays, instead of LanceDB converting every row object value by value through Arrow builders.
 */
export function chunkRowsToArrowTable(rows: readonly ChunkRow[], schema: Schema): Table {
  const length = rows.length;
  const children = schema.fields.map((field) => columnData(field, rows));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
  return new Table([batch]);
}

function columnData(field: Field, rows: readonly ChunkRow[]): Data {
  const name = field.name as keyof ChunkRow;
  if (name === "vector") return vectorData(field as Field<FixedSizeList<Float32>>, rows);
  if (field.type instanceof Int32) {
    if (field.nullable)
      return vectorFromArray(
        rows.map((row) => row[name] as number | null),
        new Int32(),
      ).data[0]!;
    const values = new Int32Array(rows.length);
    rows.forEach((row, index) => (values[index] = row[name] as number));
    return makeData({ type: new Int32(), length: rows.length, nullCount: 0, data: values });
  }
  if (field.type instanceof Utf8)
    return vectorFromArray(
      rows.map((row) => row[name] as string),
      new Utf8(),
    ).data[0]!;
  throw new Error(`chunkRowsToArrowTable: no conversion for column ${field.name} (${String(field.type)})`);
}

function vectorData(field: Field<FixedSizeList<Float32>>, rows: readonly ChunkRow[]): Data {
  const dimension = field.type.listSize;
  const values = new Float32Array(rows.length * dimension);
  rows.forEach((row, index) => {
    if (row.vector.length !== dimension) throw new Error(`vector of ${row.vector.length} values in a column of dimension ${dimension}`);
    values.set(row.vector, index * dimension);
  });
  const child = makeData({ type: new Float32(), length: values.length, nullCount: 0, data: values });
  return makeData({ type: field.type, length: rows.length, nullCount: 0, child });
}
