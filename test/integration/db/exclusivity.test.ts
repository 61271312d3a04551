import { describeExclusiveClaims } from './exclusivity.js';

// On the integration tier's server: FerretDB (SQLite) unless MONGODB_URI or a mongod on PATH says otherwise.
describeExclusiveClaims('exclusive claims on the database server');
