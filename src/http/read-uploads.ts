import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import { UnsupportedMediaTypeError, ValidationError } from "../core/errors.js";
import { DOCUMENT_ID_PATTERN } from "../core/documents.js";
import type { UploadItem } from "../use-cases/submit-document.js";
import { parseWith, readJson } from "./validate.js";

const MAX_METADATA_BYTES = 16 * 1024;

const metadataSchema = z
  .record(z.string().max(128), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean()]))]))
  .refine((value) => JSON.stringify(value).length <= MAX_METADATA_BYTES, { message: `metadata must serialise to at most ${MAX_METADATA_BYTES} bytes` });

export const documentIdSchema = z
  .string()
  .regex(DOCUMENT_ID_PATTERN, "must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit");

/** `application/json` upload: the text itself, with optional title, metadata and caller-chosen id. */
export const jsonUploadSchema = z.strictObject({
  text: z.string().min(1, "must not be empty"),
  title: z.string().max(512).optional(),
  metadata: metadataSchema.optional(),
  id: documentIdSchema.optional(),
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

/**
 * Reads the upload(s) of `POST /v1/documents` or `PUT /v1/documents/{id}`: multipart with one or many
 * `file` parts (plus optional `title`, `metadata` as JSON, `id`), or JSON `{text, title?, metadata?, id?}`.
 * Body size is enforced before this by the body-limit middleware.
 */
export async function readUploads(context: Context, options: { maxFiles: number }): Promise<UploadItem[]> {
  const contentType = context.req.header("content-type")?.toLowerCase() ?? "";
  if (contentType.startsWith("application/json")) {
    const body = await readJson(context, jsonUploadSchema);
    return [
      { bytes: new TextEncoder().encode(body.text), fileName: null, title: body.title ?? null, metadata: body.metadata ?? {}, externalId: body.id ?? null },
    ];
  }
  if (!contentType.startsWith("multipart/form-data")) {
    throw new UnsupportedMediaTypeError("send multipart/form-data with one or more `file` parts, or application/json with `text`");
  }
  let form: FormData;
  try {
    form = await context.req.formData();
  } catch {
    throw new ValidationError("malformed multipart body", [{ path: "", message: "could not parse multipart/form-data" }]);
  }
  const files = form.getAll("file").filter((part): part is File => typeof part !== "string");
  if (files.length === 0) throw new ValidationError("no file uploaded", [{ path: "file", message: "at least one `file` part is required" }]);
  if (files.length > options.maxFiles)
    throw new ValidationError("too many files", [{ path: "file", message: `at most ${options.maxFiles} files per request` }]);

  const titles = form.getAll("title").map(String);
  if (titles.length > 1 && titles.length !== files.length)
    throw new ValidationError("titles do not match files", [{ path: "title", message: "give one title, or one per file in the same order" }]);
  const metadataField = form.get("metadata");
  const metadata = metadataField === null ? {} : parseWith(metadataSchema, parseMetadataField(metadataField), "invalid metadata");
  const idField = form.get("id");
  const externalId = idField === null ? null : parseWith(documentIdSchema, String(idField), "invalid id");
  if (externalId !== null && files.length > 1)
    throw new ValidationError("id with several files", [{ path: "id", message: "an id can only be given with a single file" }]);

  return Promise.all(
    files.map(async (file, index) => ({
      bytes: new Uint8Array(await file.arrayBuffer()),
      fileName: file.name ? file.name.slice(0, 512) : null,
      title: titles.length === 0 ? null : ((titles.length === 1 ? titles[0] : titles[index]) ?? null),
      metadata,
      externalId,
    })),
  );
}

function parseMetadataField(field: FormDataEntryValue): unknown {
  try {
    return JSON.parse(typeof field === "string" ? field : "");
  } catch {
    throw new ValidationError("invalid metadata", [{ path: "metadata", message: "must be a JSON object" }]);
  }
}
