import { fileURLToPath } from 'node:url';

/**
 * The folder to serve at `/`: `index.html`, `styles/`, `favicon.svg` and the compiled page
 * scripts in `dist/` (built by this package's `tsc --build`, see `tsconfig.page.json`).
 * Resolved from this module's own location, so it holds from source (`src/`) and from the
 * build (`dist/`) alike.
 *
 * @example
 * import { webAssetsDir } from '@runboard/web';
 * await startDashboardServer({ root: 'logs', staticDir: webAssetsDir });
 */
export const webAssetsDir: string = fileURLToPath(new URL('../public/', import.meta.url));

/** The page's entry script, relative to {@link webAssetsDir}; missing until the package is built. */
export const WEB_ENTRY_SCRIPT = 'dist/main.js';
