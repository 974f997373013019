import type { HzCertificate, HzRequest, HzSearchQuery, HzSearchResults } from "../../backends/horizon/wire.js";
import { bad, Problem } from "./problems.js";

/**
 * A useful subset of HCQL/HRQL (see README): clauses combined with `and`, `or`, `not` and parentheses;
 * `<field> [not] equals|=|contains|in|before|after <value>`, `status is valid|revoked|expired`,
 * `request is valid|expired`. Field names are lowercase as in the product.
 */
type Getter<T> = (item: T) => string | number | undefined | null;
type Special<T> = (item: T, word: string, now: number) => boolean | undefined;

const hql = (detail: string): Problem => bad("HQL-001", "Invalid query", detail);

type Token = { t: "(" | ")" | "and" | "or" | "not" } | { t: "clause"; text: string };

/** Splits a query into clauses, parentheses and and/or/not, leaving quoted strings and lists whole. */
function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let cur = "";
  let quoted = false;
  const flush = () => {
    if (cur.trim()) tokens.push({ t: "clause", text: cur.trim() });
    cur = "";
  };
  for (let i = 0; i < query.length; i++) {
    const ch = query[i]!;
    if (ch === '"' && query[i - 1] !== "\\") quoted = !quoted;
    if (!quoted) {
      if (ch === "(") {
        if (/^not$/i.test(cur.trim())) {
          cur = "";
          tokens.push({ t: "not" });
        } else flush();
        tokens.push({ t: "(" });
        continue;
      }
      if (ch === ")") {
        flush();
        tokens.push({ t: ")" });
        continue;
      }
      const kw = /\s/.test(ch) ? /^\s+(and|or)\s+/i.exec(query.slice(i)) : null;
      if (kw) {
        flush();
        tokens.push({ t: kw[1]!.toLowerCase() as "and" | "or" });
        i += kw[0].length - 1;
        continue;
      }
    }
    cur += ch;
  }
  if (quoted) throw hql("unterminated string");
  flush();
  return tokens;
}

/** expr := term (or term)*; term := factor (and factor)*; factor := ( expr ) | not factor | clause. */
function parseTokens<T>(tokens: Token[], clause: (text: string) => (item: T) => boolean): (item: T) => boolean {
  let pos = 0;
  const peek = () => tokens[pos]?.t;
  const expr = (): ((item: T) => boolean) => {
    const parts = [term()];
    while (peek() === "or") {
      pos++;
      parts.push(term());
    }
    return parts.length === 1 ? parts[0]! : item => parts.some(p => p(item));
  };
  const term = (): ((item: T) => boolean) => {
    const parts = [factor()];
    while (peek() === "and") {
      pos++;
      parts.push(factor());
    }
    return parts.length === 1 ? parts[0]! : item => parts.every(p => p(item));
  };
  const factor = (): ((item: T) => boolean) => {
    const tok = tokens[pos++];
    if (!tok) throw hql("query ends too early");
    if (tok.t === "(") {
      const inner = expr();
      if (tokens[pos++]?.t !== ")") throw hql("missing )");
      return inner;
    }
    if (tok.t === "not") {
      const inner = factor();
      return item => !inner(item);
    }
    if (tok.t === "clause") return clause(tok.text);
    throw hql(`unexpected ${tok.t}`);
  };
  const result = expr();
  if (pos !== tokens.length) throw hql(`unexpected ${tokens[pos]!.t}`);
  return result;
}

function parseValue(raw: string): string | string[] {
  const t = raw.trim();
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw hql(`unterminated list ${t}`);
    return [...t.slice(1, -1).matchAll(/"((?:[^"\\]|\\.)*)"|([^,\s]+)/g)].map(m => m[1] ?? m[2]!);
  }
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function parseDate(v: string, now: number): number {
  if (v === "now" || v === "today") return now;
  const rel = /^(-?\d+)d$/.exec(v);
  if (rel) return now + Number(rel[1]) * 86_400_000;
  const abs = Date.parse(v);
  if (Number.isNaN(abs)) throw hql(`not a date: ${v}`);
  return abs;
}

function compile<T>(query: string | undefined, fields: Record<string, Getter<T>>, special: Special<T>, now: number): (item: T) => boolean {
  if (!query || !query.trim()) return () => true;
  return parseTokens<T>(tokenize(query), clause => {
    const is = /^(\w+)\s+is\s+(\w+)$/i.exec(clause);
    if (is) {
      return (item: T) => {
        const r = special(item, `${is[1]!.toLowerCase()} ${is[2]!.toLowerCase()}`, now);
        if (r === undefined) throw hql(`unsupported clause ${clause}`);
        return r;
      };
    }
    const m = /^([a-z][\w.]*)\s+(not\s+)?(equals|=|contains|in|before|after)\s+(.+)$/.exec(clause);
    if (!m) throw hql(`unsupported clause ${clause}`);
    const get = fields[m[1]!];
    if (!get) throw hql(`unknown field ${m[1]}`);
    const negate = !!m[2];
    const op = m[3]!;
    const value = parseValue(m[4]!);
    const test = (item: T): boolean => {
      const v = get(item);
      if (op === "in") return Array.isArray(value) && value.includes(String(v));
      if (Array.isArray(value)) throw hql(`operator ${op} takes a single value`);
      if (op === "equals" || op === "=") return String(v ?? "").toLowerCase() === value.toLowerCase();
      if (op === "contains")
        return String(v ?? "")
          .toLowerCase()
          .includes(value.toLowerCase());
      const d = parseDate(value, now);
      return typeof v === "number" && (op === "before" ? v < d : v > d);
    };
    return (item: T) => test(item) !== negate;
  });
}

/** Applies filter, sort and 1-based paging (pageSize default 50, capped at 1000). */
function page<T extends object>(items: T[], q: HzSearchQuery): HzSearchResults<T> {
  const pageIndex = Math.max(1, Math.floor(q.pageIndex ?? 1));
  const pageSize = Math.min(1000, Math.max(1, Math.floor(q.pageSize ?? 50)));
  const sorted = [...items];
  for (const s of [...(q.sortedBy ?? [])].reverse()) {
    const dir = s.order === "Desc" || s.order === "KeyDesc" ? -1 : 1;
    sorted.sort((a, b) => {
      const x = (a as Record<string, unknown>)[s.element] as string | number;
      const y = (b as Record<string, unknown>)[s.element] as string | number;
      return x === y ? 0 : (x ?? "") > (y ?? "") ? dir : -dir;
    });
  }
  const start = (pageIndex - 1) * pageSize;
  const slice = sorted.slice(start, start + pageSize).map(item => project(item, q.fields));
  return { results: slice, pageIndex, pageSize, ...(q.withCount ? { count: sorted.length } : {}), hasMore: start + pageSize < sorted.length };
}

/** `fields` omitted = all, `[]` = only `_id`. */
function project<T extends object>(item: T, fields: string[] | undefined): T {
  if (!fields) return item;
  const out: Record<string, unknown> = { _id: (item as Record<string, unknown>)._id };
  for (const f of fields) if (f in item) out[f] = (item as Record<string, unknown>)[f];
  return out as T;
}

const CERT_FIELDS: Record<string, Getter<HzCertificate>> = {
  id: c => c._id,
  dn: c => c.dn,
  profile: c => c.profile,
  module: c => c.module,
  issuer: c => c.issuer,
  serial: c => c.serial,
  thumbprint: c => c.thumbprint,
  keytype: c => c.keyType,
  owner: c => c.owner,
  team: c => c.team,
  holderid: c => c.holderId,
  contactemail: c => c.contactEmail,
  "valid.from": c => c.notBefore,
  "valid.until": c => c.notAfter,
  "revocation.date": c => c.revocationDate,
  "revocation.reason": c => c.revocationReason,
  san: c => c.subjectAlternateNames.map(s => s.value).join(","),
};

export function searchCertificates(all: HzCertificate[], q: HzSearchQuery, now: number): HzSearchResults<HzCertificate> {
  const match = compile(
    q.query,
    CERT_FIELDS,
    (c, word, t) => {
      if (word === "status valid") return !c.revoked && c.notAfter >= t;
      if (word === "status revoked") return c.revoked;
      if (word === "status expired") return !c.revoked && c.notAfter < t;
      return undefined;
    },
    now,
  );
  return page(all.filter(match), q);
}

const REQ_FIELDS: Record<string, Getter<HzRequest>> = {
  id: r => r._id,
  module: r => r.module,
  workflow: r => r.workflow,
  profile: r => r.profile,
  status: r => r.status,
  requester: r => r.requester,
  approver: r => r.approver,
  team: r => r.team,
  dn: r => r.dn,
  holderid: r => r.holderId,
  certificateid: r => r.certificateId,
  "registration.date": r => r.registrationDate,
  "modification.date": r => r.lastModificationDate,
  "expiration.date": r => r.expirationDate,
};

export function searchRequests<T extends HzRequest>(all: T[], q: HzSearchQuery, now: number): HzSearchResults<T> {
  const match = compile<T>(
    q.query,
    REQ_FIELDS,
    (r, word, t) => {
      if (word === "request expired") return r.status === "pending" && (r.expirationDate ?? Infinity) < t;
      if (word === "request valid") return !(r.status === "pending" && (r.expirationDate ?? Infinity) < t);
      return undefined;
    },
    now,
  );
  return page(all.filter(match), q);
}
