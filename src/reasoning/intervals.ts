// Interval sets for the reasoner: over the reals (numbers and dates, open or closed ends) and
// over the integers (IP addresses as bigints), each with a flag for "a value that does not
// parse", which no policy value matches. Sets are kept sorted, disjoint and merged.

export interface Iv { lo: number; loIn: boolean; hi: number; hiIn: boolean }

/** A set of request values of a numeric or date key: reals plus the unparseable values. */
export interface RealSet { ivs: Iv[]; nan: boolean }

export const REAL_ALL: RealSet = { ivs: [{ lo: -Infinity, loIn: false, hi: Infinity, hiIn: false }], nan: true };
export const REAL_NONE: RealSet = { ivs: [], nan: false };

function emptyIv(iv: Iv): boolean {
  return iv.lo > iv.hi || (iv.lo === iv.hi && !(iv.loIn && iv.hiIn));
}

function normalize(ivs: Iv[]): Iv[] {
  const s = ivs.filter((iv) => !emptyIv(iv)).sort((a, b) => a.lo - b.lo || (a.loIn === b.loIn ? 0 : a.loIn ? -1 : 1));
  const out: Iv[] = [];
  for (const iv of s) {
    const last = out[out.length - 1];
    if (last && (iv.lo < last.hi || (iv.lo === last.hi && (iv.loIn || last.hiIn)))) {
      if (iv.hi > last.hi || (iv.hi === last.hi && iv.hiIn)) { last.hi = iv.hi; last.hiIn = iv.hiIn; }
    } else out.push({ ...iv });
  }
  return out;
}

export function realUnion(sets: readonly RealSet[]): RealSet {
  return { ivs: normalize(sets.flatMap((s) => s.ivs)), nan: sets.some((s) => s.nan) };
}

export function realComplement(a: RealSet): RealSet {
  const out: Iv[] = [];
  let lo = -Infinity;
  let loIn = false;
  for (const iv of a.ivs) {
    out.push({ lo, loIn, hi: iv.lo, hiIn: !iv.loIn });
    lo = iv.hi;
    loIn = !iv.hiIn;
  }
  out.push({ lo, loIn, hi: Infinity, hiIn: false });
  return { ivs: normalize(out.filter((iv) => !(iv.lo === -Infinity && iv.hi === -Infinity) && !(iv.lo === Infinity))), nan: !a.nan };
}

export function realIntersect(a: RealSet, b: RealSet): RealSet {
  const out: Iv[] = [];
  for (const x of a.ivs) {
    for (const y of b.ivs) {
      const lo = Math.max(x.lo, y.lo);
      const loIn = (x.lo === lo ? x.loIn : true) && (y.lo === lo ? y.loIn : true);
      const hi = Math.min(x.hi, y.hi);
      const hiIn = (x.hi === hi ? x.hiIn : true) && (y.hi === hi ? y.hiIn : true);
      out.push({ lo, loIn, hi, hiIn });
    }
  }
  return { ivs: normalize(out), nan: a.nan && b.nan };
}

/** A member of the set: a number, 'NaN' for an unparseable value, or undefined when empty. */
export function realPick(a: RealSet): number | 'NaN' | undefined {
  for (const iv of a.ivs) {
    if (iv.loIn) return iv.lo;
    if (iv.hiIn) return iv.hi;
    if (iv.lo === -Infinity && iv.hi === Infinity) return 0;
    if (iv.lo === -Infinity) return Math.floor(iv.hi) - 1;
    if (iv.hi === Infinity) return Math.floor(iv.lo) + 1;
    const whole = Math.floor(iv.lo) + 1;
    if (whole < iv.hi) return whole;
    const mid = (iv.lo + iv.hi) / 2;
    if (mid > iv.lo && mid < iv.hi) return mid;
  }
  return a.nan ? 'NaN' : undefined;
}

/** The values `x` with `x op v`, for the comparison operators of the Numeric and Date families. */
export function realCompare(op: 'eq' | 'lt' | 'le' | 'gt' | 'ge', v: number): RealSet {
  switch (op) {
    case 'eq': return { ivs: [{ lo: v, loIn: true, hi: v, hiIn: true }], nan: false };
    case 'lt': return { ivs: [{ lo: -Infinity, loIn: false, hi: v, hiIn: false }], nan: false };
    case 'le': return { ivs: [{ lo: -Infinity, loIn: false, hi: v, hiIn: true }], nan: false };
    case 'gt': return { ivs: [{ lo: v, loIn: false, hi: Infinity, hiIn: false }], nan: false };
    case 'ge': return { ivs: [{ lo: v, loIn: true, hi: Infinity, hiIn: false }], nan: false };
  }
}

// ---------------------------------------------------------------------------
// Integers (IP addresses): IPv4 addresses are [0, 2^32), IPv6 addresses are offset by 2^32.

export interface BigIv { lo: bigint; hi: bigint }
export interface IpSet { ivs: BigIv[]; nan: boolean }

export const V6_BASE = 1n << 32n;
export const IP_MAX = V6_BASE + (1n << 128n) - 1n;
export const IP_ALL: IpSet = { ivs: [{ lo: 0n, hi: IP_MAX }], nan: true };

function normalizeBig(ivs: BigIv[]): BigIv[] {
  const s = ivs.filter((iv) => iv.lo <= iv.hi).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: BigIv[] = [];
  for (const iv of s) {
    const last = out[out.length - 1];
    if (last && iv.lo <= last.hi + 1n) { if (iv.hi > last.hi) last.hi = iv.hi; }
    else out.push({ ...iv });
  }
  return out;
}

export function ipUnion(sets: readonly IpSet[]): IpSet {
  return { ivs: normalizeBig(sets.flatMap((s) => s.ivs)), nan: sets.some((s) => s.nan) };
}

export function ipComplement(a: IpSet): IpSet {
  const out: BigIv[] = [];
  let lo = 0n;
  for (const iv of a.ivs) { out.push({ lo, hi: iv.lo - 1n }); lo = iv.hi + 1n; }
  out.push({ lo, hi: IP_MAX });
  return { ivs: normalizeBig(out), nan: !a.nan };
}

export function ipIntersect(a: IpSet, b: IpSet): IpSet {
  const out: BigIv[] = [];
  for (const x of a.ivs) for (const y of b.ivs) out.push({ lo: x.lo > y.lo ? x.lo : y.lo, hi: x.hi < y.hi ? x.hi : y.hi });
  return { ivs: normalizeBig(out), nan: a.nan && b.nan };
}

export function ipPick(a: IpSet): bigint | 'NaN' | undefined {
  if (a.ivs.length > 0) return a.ivs[0].lo;
  return a.nan ? 'NaN' : undefined;
}

/** Formats a point of the IP space as an address the engine parses. */
export function formatIp(x: bigint): string {
  if (x < V6_BASE) return [24n, 16n, 8n, 0n].map((s) => String((x >> s) & 255n)).join('.');
  const v = x - V6_BASE;
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}
