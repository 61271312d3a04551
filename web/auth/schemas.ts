import { z } from 'zod';

export const AUTH_LABELS = { email: 'Email', password: 'Password', name: 'Name', penName: 'First pen name', next: 'Next page' };

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

export const registerBody = z.object({
  name: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(80, { message: 'must be at most 80 characters' }),
  email,
  password: z.string({ message: 'is required' }).min(10, { message: 'must be at least 10 characters' }).max(200, { message: 'must be at most 200 characters' }),
  /** Blank: the pen name is the user's name. */
  penName: z.string().trim().max(60, { message: 'must be at most 60 characters' }).regex(/^[^\p{Cc}]*$/u, { message: 'must not contain control characters' }).optional(),
});

export const nextQuery = z.object({ next });
