import { ROLES, type Role } from '../models/app-key';

export { ROLES, type Role } from '../models/app-key';

export function roleAllows(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}

/** Keys stored before roles existed could do everything, so they stay admin keys. */
export function storedRole(value: unknown): Role {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : 'admin';
}

/** The stored documents `storedRole` reads as admin, as a query: every role but the lesser ones, missing included. */
export const ADMIN_ROLE_FILTER = { role: { $nin: ROLES.filter((r) => r !== 'admin') } };
