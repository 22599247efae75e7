import type { CustomerService } from '../customers/customer-service';
import { DomainError } from '../errors';
import type { CustomerDoc } from '../models/customer';
import type { OrderCustomerInput, OrderInput } from './order-input';

function invalid(field: string, reason: string): DomainError {
  return DomainError.invalid('invalid_customer', 'Invalid customer', `${field}: ${reason}`, {
    errors: [{ field, reason }],
  });
}

/**
 * The customer an order write names, created or updated as Voucherify does implicitly.
 * A bare reference to an existing customer is only read, so attaching orders to a
 * customer does not rewrite the customer each time.
 */
export async function resolveOrderCustomer(
  customers: CustomerService,
  input: Pick<OrderInput, 'customer' | 'customer_id'>,
): Promise<CustomerDoc | undefined> {
  const customer = input.customer === undefined ? undefined : await fromCustomerField(customers, input.customer);
  if (input.customer_id === undefined) return customer;
  if (customer) {
    if (input.customer_id !== customer._id && input.customer_id !== customer.source_id)
      throw invalid('customer_id', 'names a different customer than customer');
    return customer;
  }
  return customers.get(input.customer_id);
}

async function fromCustomerField(customers: CustomerService, input: OrderCustomerInput): Promise<CustomerDoc> {
  if (typeof input === 'string') {
    const found = await customers.find(input);
    if (found) return found;
    // A missing `cust_…` is a wrong id, not a new customer whose source_id looks like one.
    if (input.startsWith('cust_')) throw DomainError.notFound('customer', input);
    return customers.upsert({ source_id: input });
  }
  const { id, source_id, object: _object, ...profile } = input;
  if (!id && !source_id && Object.values(profile).every((v) => v === undefined))
    throw invalid('customer', 'needs an id, a source_id or profile fields');
  if (Object.values(profile).every((v) => v === undefined)) {
    const found =
      (id && (await customers.find(id))) || (source_id && (await customers.findBySourceId(source_id))) || null;
    if (found && (source_id === undefined || found.source_id === source_id)) return found;
  }
  return customers.upsert(input);
}
