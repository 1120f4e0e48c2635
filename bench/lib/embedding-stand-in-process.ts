/**
 * The embeddings stand-in in a process of its own, so that neither pipeline under test pays for its
 * work: `node --import tsx bench/lib/embedding-stand-in-process.ts '<options as JSON>'` prints one
 * line `{"baseUrl": …}` once it listens, and serves until killed. GET on it answers its counts.
 */
import { startEmbeddingStandIn, type EmbeddingStandInOptions } from "../../test/helpers/embedding-endpoint-stand-in.js";

const options = JSON.parse(process.argv[2] ?? "{}") as EmbeddingStandInOptions;
const standIn = await startEmbeddingStandIn(options);
process.stdout.write(`${JSON.stringify({ baseUrl: standIn.baseUrl })}\n`);
process.on("SIGTERM", () => void standIn.close().then(() => process.exit(0)));
