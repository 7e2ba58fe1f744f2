import { ResourceError } from '../../app/connections.js';
import { HttpError } from '../errors.js';

/** A refusal of the resource layer answers with its status and the fields at fault. */
export async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ResourceError) throw new HttpError(error.status, error.message, error.details);
    throw error;
  }
}
