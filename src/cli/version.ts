import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export const VERSION = pkg.version;
export const GENERATOR = { name: 'nps', version: VERSION };
