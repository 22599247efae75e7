/**
 * What a key may do. Each role includes the ones before it: `read` lists and reads,
 * `write` also changes business data (customers, campaigns, distributions, …), and `admin`
 * also manages application keys and channel accounts (the provider credentials).
 */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAllows(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}

/** Keys stored before roles existed could do everything, so they stay admin keys. */
export function storedRole(value: unknown): Role {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : 'admin';
}

/** The stored documents `storedRole` reads as admin, as a query: every role but the lesser ones, missing included. */
export const ADMIN_ROLE_FILTER = { role: { $nin: ROLES.filter((r) => r !== 'admin') } };
