import type { Logger } from "../observability/logger.js";

/** Per-request values set by middleware and read by routes. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenant: string;
    logger: Logger;
  };
}
