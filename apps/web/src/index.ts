export { webAssetsDir, WEB_ENTRY_SCRIPT } from './web-assets.js';
