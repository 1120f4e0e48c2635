import type { Logger } from "../observability/logger.js";
import type { Principal } from "../use-cases/api-keys.js";

/** Per-request values set by middleware and read by routes. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenant: string;
    /** Who the request acts as (its key's tenant, scopes and id). */
    principal: Principal;
    logger: Logger;
  };
}
