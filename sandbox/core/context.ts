import type { HostRegistry } from './http.js';
import type { SandboxState } from './state.js';

/** What a platform module gets to mount its routes. */
export interface PlatformContext {
  state: SandboxState;
  hosts: HostRegistry;
}
