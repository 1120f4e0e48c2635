import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from "../core/errors.js";
import { DOCUMENT_ID_PATTERN } from "../core/documents.js";
import type { UploadItem } from "../use-cases/submit-document.js";
import type { UploadEntry } from "../use-cases/submit-upload-batch.js";
import { readNdjsonEntries } from "./read-ndjson-uploads.js";
import { parseWith, readJson, validationErrorFrom } from "./validate.js";

const MAX_METADATA_BYTES = 16 * 1024;

export const metadataSchema = z
  .record(z.string().max(128), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean()]))]))
  .refine((value) => JSON.stringify(value).length <= MAX_METADATA_BYTES, { message: `metadata must serialise to at most ${MAX_METADATA_BYTES} bytes` });

export const documentIdSchema = z
  .string()
  .regex(DOCUMENT_ID_PATTERN, "must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit");

/** One JSON document: the text itself, with optional title, metadata, source (a file name: `.md` reads as Markdown) and caller-chosen id. */
export const jsonUploadSchema = z.strictObject({
  text: z.string().min(1, "must not be empty"),
  title: z.string().max(512).optional(),
  metadata: metadataSchema.optional(),
  source: z.string().min(1).max(512).optional().openapi({ description: "Where the text came from, e.g. a file name; shown in hits" }),
  id: documentIdSchema.optional(),
});

/** `application/json` bulk upload: up to `upload.maxDocumentsPerRequest` documents, each settled on its own. */
export const jsonBulkUploadSchema = z.strictObject({
  documents: z
    .array(jsonUploadSchema)
    .min(1)
    .openapi({ description: "Each item is accepted or refused on its own (an invalid item is refused, not the request)" }),
});

/** `multipart/form-data` upload, for the OpenAPI document only: `readUploads` reads the parts itself. */
export const multipartUploadSchema = z.object({
  file: z
    .array(z.string().openapi({ format: "binary" }))
    .min(1)
    .openapi({ description: "One or more files (repeat the part); the type is sniffed from the bytes: text, Markdown, HTML or PDF" }),
  title: z.array(z.string().max(512)).optional().openapi({ description: "One title for all files, or one per file in the same order" }),
  metadata: z.string().optional().openapi({ description: "A JSON object of string keys to scalars or arrays of scalars, applied to every file" }),
  id: documentIdSchema.optional().openapi({ description: "Caller-chosen id; only with a single file" }),
});

/** What an upload request holds: its kind and its items, read lazily for NDJSON. */
export interface Upload {
  kind: "json" | "ndjson" | "multipart";
  entries: Iterable<UploadEntry> | AsyncIterable<UploadEntry>;
}

export interface ReadUploadsOptions {
  maxFiles: number;
  maxDocuments: number;
  /** The body limit, counted while an NDJSON body streams. */
  maxBytes: number;
}

/**
 * Reads the upload(s) of `POST /v1/documents` or `PUT /v1/documents/{id}`: multipart with one or many
 * `file` parts (plus optional `title`, `metadata` as JSON, `id`), JSON `{text, …}` or
 * `{documents: [{text, …}, …]}`, or NDJSON (one such object per line, streamed). What is wrong with
 * the request as a whole (malformed body, too many items, no file) throws; what is wrong with one
 * item is that item's refusal. Body size is enforced before this by the body-limit middleware,
 * and while reading for NDJSON.
 */
export async function readUploads(context: Context, options: ReadUploadsOptions): Promise<Upload> {
  const contentType = context.req.header("content-type")?.toLowerCase() ?? "";
  if (contentType.startsWith("application/x-ndjson")) {
    return { kind: "ndjson", entries: readNdjsonEntries(context.req.raw.body, { maxBytes: options.maxBytes, maxDocuments: options.maxDocuments }) };
  }
  if (contentType.startsWith("application/json")) return { kind: "json", entries: await readJsonEntries(context, options.maxDocuments) };
  if (!contentType.startsWith("multipart/form-data")) {
    throw new UnsupportedMediaTypeError(
      "send multipart/form-data with one or more `file` parts, application/json with `text` or `documents`, or application/x-ndjson",
    );
  }
  return { kind: "multipart", entries: await readMultipartEntries(context, options.maxFiles) };
}

async function readJsonEntries(context: Context, maxDocuments: number): Promise<UploadEntry[]> {
  const body = await readJson(context, z.unknown());
  const isBulk = typeof body === "object" && body !== null && !Array.isArray(body) && "documents" in body;
  if (!isBulk) {
    const single = parseWith(jsonUploadSchema, body, "invalid request body");
    return [{ position: 0, name: single.source ?? null, item: uploadItemOf(single) }];
  }
  const documents = parseWith(z.strictObject({ documents: z.array(z.unknown()).min(1, "give at least one document") }), body, "invalid request body").documents;
  if (documents.length > maxDocuments) {
    throw new PayloadTooLargeError(`${documents.length} documents exceed upload.maxDocumentsPerRequest (${maxDocuments})`, {
      details: { max_documents: maxDocuments, documents: documents.length },
    });
  }
  return documents.map((document, position) => jsonEntry(document, position, `documents.${position}`));
}

/** One JSON document as an entry: its item, or its refusal naming the failing fields under `path`. */
export function jsonEntry(document: unknown, position: number, path: string, line?: number): UploadEntry {
  const located = line === undefined ? {} : { line };
  const parsed = jsonUploadSchema.safeParse(document);
  if (!parsed.success) {
    const error = validationErrorFrom(parsed.error, "invalid document");
    const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues.map((issue) => ({
      path: issue.path ? `${path}.${issue.path}` : path,
      message: issue.message,
    }));
    const source = typeof document === "object" && document !== null ? (document as { source?: unknown }).source : undefined;
    return {
      position,
      name: typeof source === "string" ? source.slice(0, 512) : null,
      ...located,
      refused: new ValidationError(`invalid document: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`, issues),
    };
  }
  return { position, name: parsed.data.source ?? null, ...located, item: uploadItemOf(parsed.data) };
}

function uploadItemOf(document: z.infer<typeof jsonUploadSchema>): UploadItem {
  return {
    bytes: new TextEncoder().encode(document.text),
    fileName: document.source ?? null,
    title: document.title ?? null,
    metadata: document.metadata ?? null,
    externalId: document.id ?? null,
  };
}

async function readMultipartEntries(context: Context, maxFiles: number): Promise<UploadEntry[]> {
  let form: FormData;
  try {
    form = await context.req.formData();
  } catch {
    throw new ValidationError("malformed multipart body", [{ path: "", message: "could not parse multipart/form-data" }]);
  }
  const files = form.getAll("file").filter((part): part is File => typeof part !== "string");
  if (files.length === 0) throw new ValidationError("no file uploaded", [{ path: "file", message: "at least one `file` part is required" }]);
  if (files.length > maxFiles) throw new ValidationError("too many files", [{ path: "file", message: `at most ${maxFiles} files per request` }]);

  const titles = form.getAll("title").map(String);
  if (titles.length > 1 && titles.length !== files.length)
    throw new ValidationError("titles do not match files", [{ path: "title", message: "give one title, or one per file in the same order" }]);
  const metadataField = form.get("metadata");
  const metadata = metadataField === null ? null : parseWith(metadataSchema, parseMetadataField(metadataField), "invalid metadata");
  const idField = form.get("id");
  const externalId = idField === null ? null : parseWith(documentIdSchema, String(idField), "invalid id");
  if (externalId !== null && files.length > 1)
    throw new ValidationError("id with several files", [{ path: "id", message: "an id can only be given with a single file" }]);

  return Promise.all(
    files.map(async (file, index) => {
      const fileName = file.name ? file.name.slice(0, 512) : null;
      const item: UploadItem = {
        bytes: new Uint8Array(await file.arrayBuffer()),
        fileName,
        title: titles.length === 0 ? null : ((titles.length === 1 ? titles[0] : titles[index]) ?? null),
        metadata,
        externalId,
      };
      return { position: index, name: fileName, item };
    }),
  );
}

function parseMetadataField(field: FormDataEntryValue): unknown {
  try {
    return JSON.parse(typeof field === "string" ? field : "");
  } catch {
    throw new ValidationError("invalid metadata", [{ path: "metadata", message: "must be a JSON object" }]);
  }
}
