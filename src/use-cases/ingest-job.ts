/** What an ingest job carries; the document record holds everything else. */
export interface IngestJobData {
  tenant: string;
  documentId: string;
  revision: number;
  /** Key of the uploaded bytes in the BlobStore. */
  blobKey: string;
  /** W3C `traceparent` of the span that queued the job (the upload request), when traced: the ingest batch links to it. */
  traceparent?: string;
}
