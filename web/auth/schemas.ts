import { z } from 'zod';

/** Shown again in a form: only what a form can post (a JSON body may carry objects that cannot be printed). */
export const typed = (value: unknown) => (typeof value === 'string' ? value : '');

export const AUTH_LABELS = { email: 'Email', password: 'Password', name: 'Name', penName: 'First pen name', next: 'Next page', token: 'Link' };

const email = z.string({ message: 'is required' }).trim().toLowerCase().max(254, { message: 'is too long' }).pipe(z.email({ message: 'enter an address like name@example.com' }));
const next = z.string().max(2000, { message: 'is too long' }).optional();
export const PEN_NAME_RULE = z
  .string({ message: 'is required' })
  .trim()
  .min(1, { message: 'is required' })
  .max(60, { message: 'must be at most 60 characters' })
  .regex(/^[^\p{Cc}]*$/u, { message: 'must not contain control characters' });

export const loginBody = z.object({
  email,
  password: z.string({ message: 'is required' }).min(1, { message: 'is required' }).max(200, { message: 'is too long' }),
  next,
});

const newPassword = z.string({ message: 'is required' }).min(10, { message: 'must be at least 10 characters' }).max(200, { message: 'must be at most 200 characters' });
/** A token from an emailed link: one opaque string. */
const token = z.string({ message: 'is missing; open the link from the email again' }).min(1, { message: 'is missing; open the link from the email again' }).max(1000, { message: 'is not a Tether link' });

export const registerBody = z.object({
  name: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(80, { message: 'must be at most 80 characters' }),
  email,
  password: newPassword,
  /** Blank: the pen name is the user's name. */
  penName: z.string().trim().max(60, { message: 'must be at most 60 characters' }).regex(/^[^\p{Cc}]*$/u, { message: 'must not contain control characters' }).optional(),
});

export const nextQuery = z.object({ next });

export const emailBody = z.object({ email });
export const tokenQuery = z.object({ token });
export const resetBody = z.object({ token, password: newPassword });
