/** `npm run build:console`: bundles the console's browser code into static/console.js (committed, so `npm start` needs no build). */
import { build } from "esbuild";
import { CONSOLE_BUILD_OPTIONS, CONSOLE_BUNDLE } from "./build-options.js";

const result = await build({ ...CONSOLE_BUILD_OPTIONS, outfile: CONSOLE_BUNDLE, metafile: true });
console.info(`wrote ${CONSOLE_BUNDLE} (${result.metafile.outputs[Object.keys(result.metafile.outputs)[0] ?? ""]?.bytes ?? "?"} bytes)`);
