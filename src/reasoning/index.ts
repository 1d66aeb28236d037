// warden/reasoning — exact comparison of policies (Access Analyzer's custom policy checks):
// statements as products of per-dimension sets, decided by automata and interval sets, with
// witnesses confirmed by the policy engine. Pure: imports only ../policy.
export { checkAccessNotGranted, checkNoNewAccess, compareModels, engineAllows, prepare, Solver } from './compare.js';
export type { AccessQuery, CheckOutcome, Reason, Witness } from './compare.js';
export { PolicyError, compileFor, makeUniverse, modelPolicy } from './model.js';
export type { Lit, ModelPolicy, ModelStatement, PolicyKind, Universe } from './model.js';
export { checkNoPublicAccess, ZONE_KEYS } from './public.js';
export type { PublicOutcome } from './public.js';
