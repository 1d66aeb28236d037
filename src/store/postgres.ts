import type { Store } from './types.js';
export interface PostgresOptions { url: string; schema?: string }
export async function openPostgresStore(_options: PostgresOptions): Promise<Store> {
  throw new Error('not yet');
}
