import { Schema, type Connection, type InferSchemaType } from 'mongoose';

// A record written by the diagnostics round trip (web -> Temporal -> worker activity -> MongoDB),
// read back by the web app to prove the whole path works.

const diagnosticSchema = new Schema(
  {
    checkId: { type: String, required: true, unique: true },
    workflowId: { type: String, required: true },
    writtenBy: { type: String, required: true },
    writtenAt: { type: Date, required: true },
  },
  { collection: 'diagnostics', versionKey: false },
);

export type Diagnostic = InferSchemaType<typeof diagnosticSchema>;

export function diagnosticModel(connection: Connection) {
  return connection.model('Diagnostic', diagnosticSchema);
}
