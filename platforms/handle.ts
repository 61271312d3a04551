/**
 * How an account is named on pages and in messages: "@alice" for a handle (stored with or without
 * its "@"), the name as it is for accounts known by a display name ("Alice Archer", a Page's name).
 */
export function displayHandle(handle: string): string {
  const bare = handle.replace(/^@/, '');
  return /^[\w.:-]+$/.test(bare) ? `@${bare}` : bare;
}
