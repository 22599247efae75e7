import { DomainError } from '../errors';

/** One thing wrong with a distribution as given: the field, why, and the template line when there is one. */
export interface Problem {
  field: string;
  reason: string;
  line?: number;
}

/** All the problems found, as one 400. */
export function invalid(problems: Problem[]): DomainError {
  return DomainError.invalid(
    'invalid_distribution',
    'Invalid distribution',
    problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    { errors: problems },
  );
}
