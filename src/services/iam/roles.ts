// Filled in by its family's author; see users.ts for the pattern.
import type { OperationTable } from '../types.js';

export const roleOperations: OperationTable = {};
