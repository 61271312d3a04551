import { randomUUID } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';

// A Tether user. Minimal for now; the dashboard extends it.

export interface User {
  _id: string;
  email: string;
  name: string;
  passwordHash?: string;
  plan: string;
  emailNotifications: boolean;
  createdAt: Date;
}

const userSchema = new Schema<User>(
  {
    _id: { type: String, default: () => randomUUID() },
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true },
    passwordHash: { type: String },
    plan: { type: String, required: true },
    emailNotifications: { type: Boolean, required: true, default: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { collection: 'users', versionKey: false },
);

export function userModel(connection: Connection) {
  return connection.model<User>('User', userSchema);
}
