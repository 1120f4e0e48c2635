/** What an ingest job carries; the document record holds everything else. */
export interface IngestJobData {
  tenant: string;
  documentId: string;
  revision: number;
  /** Key of the uploaded bytes in the BlobStore. */
  blobKey: string;
}
