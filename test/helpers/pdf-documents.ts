import { deflateSync } from "node:zlib";

// Hand-built PDFs for hostile-input tests: a correct cross-reference table around whatever objects
// a test needs, so pdfjs reads them as real files rather than repairing them.

/** A PDF of `objects` (object n is objects[n - 1], without its `n 0 obj` wrapper); object 1 is the catalog. */
export function buildPdf(objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    const part = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1"), Buffer.from("\nendobj\n")]);
    parts.push(part);
    length += part.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, "0000000000 65535 f \n", ...offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`)].join(
    "",
  );
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`, "latin1"));
  return Buffer.concat(parts);
}

const FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
const textStream = (text: string) => {
  const content = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  return `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
};
const page = (parent: number, content: number, font: number) =>
  `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`;

/** `pages` pages sharing one content stream (1 catalog, 2 page tree, 3 font, 4 content, 5… pages). */
export function manyPagesPdf(pages: number): Buffer {
  const kids = Array.from({ length: pages }, (_, index) => `${index + 5} 0 R`).join(" ");
  return buildPdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    FONT,
    textStream("A page among many."),
    ...Array.from({ length: pages }, () => page(2, 4, 3)),
  ]);
}

/** One page whose content stream is small compressed and `inflatedBytes` inflated (whitespace, then a line of text). */
export function flateBombPdf(inflatedBytes: number): Buffer {
  const content = Buffer.concat([Buffer.alloc(inflatedBytes, 0x20), Buffer.from(" BT /F1 12 Tf 72 720 Td (After the padding.) Tj ET")]);
  const compressed = deflateSync(content, { level: 9 });
  const stream = Buffer.concat([Buffer.from(`<< /Length ${compressed.length} /Filter /FlateDecode >>\nstream\n`), compressed, Buffer.from("\nendstream")]);
  return buildPdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R] /Count 1 >>", FONT, stream, page(2, 4, 3)]);
}

/** A page tree nested `depth` levels deep (each Pages node has one kid), one page at the bottom. */
export function deepPageTreePdf(depth: number): Buffer {
  // 1 catalog, 2 font, 3 content, 4 … 3+depth page-tree nodes, then the page.
  const nodes = Array.from({ length: depth }, (_, index) => {
    const self = index + 4;
    const parent = index === 0 ? "" : `/Parent ${self - 1} 0 R `;
    return `<< /Type /Pages ${parent}/Kids [${self + 1} 0 R] /Count 1 >>`;
  });
  return buildPdf(["<< /Type /Catalog /Pages 4 0 R >>", FONT, textStream("At the bottom of the tree."), ...nodes, page(depth + 3, 3, 2)]);
}
