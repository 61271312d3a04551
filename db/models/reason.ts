/** Why something is as it is, as pages show it: a stable code for logic and templates, a sentence for people. */
export interface StoredReason {
  code: string;
  message: string;
}
