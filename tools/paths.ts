import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Git-ignored cache of built infrastructure binaries. */
export const toolsDir = path.join(repoRoot, '.tools');
export const toolsBin = path.join(toolsDir, 'bin');
