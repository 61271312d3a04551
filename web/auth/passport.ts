import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Models } from '../../db/models/index.js';
import { emailConfirmed } from '../../db/models/user.js';
import { findSessionUser, type SessionUserFields } from '../../db/users.js';
import { checkCredentials } from '../../services/auth/login.js';

// One Passport instance per app (not the global one), so several apps in one process stay apart.

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User {
      id: string;
      email: string;
      name: string;
      plan: string;
      /** False for accounts from before addresses were confirmed: they get no email until confirmed. */
      emailConfirmed: boolean;
      /** IANA zone the user last composed in; pages show times in it. */
      timeZone?: string;
    }
  }
}

export type Authenticator = InstanceType<typeof passport.Passport>;

/** The fields every request gets on `req.user` (read once per request by Passport; never the password hash). */
function sessionUserOf(user: SessionUserFields): Express.User {
  return {
    id: user._id,
    email: user.email,
    name: user.name,
    plan: user.plan,
    emailConfirmed: emailConfirmed(user),
    ...(user.timeZone ? { timeZone: user.timeZone } : {}),
  };
}

export function createAuthenticator(models: Models): Authenticator {
  const authenticator = new passport.Passport();
  authenticator.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      checkCredentials(models, email, password).then(
        (user) => done(null, user ? sessionUserOf(user) : false),
        (error: unknown) => done(error),
      );
    }),
  );
  authenticator.serializeUser((user, done) => done(null, user.id));
  authenticator.deserializeUser((id: string, done) => {
    findSessionUser(models, id).then(
      // A deleted user's session simply stops being logged in.
      (user) => done(null, user ? sessionUserOf(user) : false),
      (error: unknown) => done(error),
    );
  });
  return authenticator;
}
