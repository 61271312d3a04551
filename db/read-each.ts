// Documents by `_id`, one point read each. FerretDB 1.24 on SQLite uses its `_id` index only for a
// filter on one `_id` value: `{_id: {$in: ids}}`, or `_id` beside another field, reads and decodes
// every document of the collection (db/README.md). The callers read a handful of ids (a post's
// accounts, an account's overdue posts), so point reads stay flat as the collection grows there, and
// on MongoDB they are a few concurrent index lookups instead of one.

type Found<T> = Exclude<Awaited<T>, null | undefined>;

/** Reads each distinct id with `read` (a point read by `_id`), concurrently; ids not found are left out. */
export async function readEach<T>(ids: Iterable<string>, read: (id: string) => PromiseLike<T>): Promise<Found<T>[]> {
  const found = await Promise.all([...new Set(ids)].map(read));
  return found.filter((document): document is Found<T> => document !== null && document !== undefined);
}
