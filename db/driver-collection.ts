import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';

/**
 * A model's collection as the MongoDB driver types it, for hot-path commands sent without
 * mongoose's query building, casting and documents. Only for writes whose values already have
 * their stored types: nothing is validated or defaulted on this path.
 */
export const driverCollection = <T extends Document>(model: Model<T>): Collection<T> => model.collection as unknown as Collection<T>;
