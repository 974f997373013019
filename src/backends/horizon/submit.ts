import { revocationReasonForHorizon } from "./states.js";
import type { IssueInput, LabelInput } from "../../model/inputs/operation.inputs.js";
import type { RequestTargetInput, SubmitRequestInput } from "../../model/inputs/request.inputs.js";
import { csrToPem } from "../../model/inputs/validators.js";

/** Horizon wraps secrets and template values as {value}. */
const wrap = (v: string | undefined) => (v === undefined ? undefined : { value: v });
const labels = (l: LabelInput[] | undefined) => l?.map(x => ({ label: x.key, value: x.value ?? null }));
const target = (t: RequestTargetInput) => ({
  ...(t.certificateId ? { certificateId: t.certificateId } : {}),
  ...(t.certificatePem ? { certificatePem: t.certificatePem } : {}),
});
/** Drops undefined so Horizon sees "missing = no change" semantics. */
const clean = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

export type SubmitVariant = keyof Omit<SubmitRequestInput, "dryRun" | "comment" | "idempotencyKey">;

export const SUBMIT_VARIANTS: SubmitVariant[] = [
  "webraEnroll",
  "webraRevoke",
  "webraUpdate",
  "webraRecover",
  "webraMigrate",
  "webraRenew",
  "webraImport",
  "estEnroll",
  "scepEnroll",
];

/** The variants set in an input (exactly one is valid). */
export function variantsOf(input: SubmitRequestInput): SubmitVariant[] {
  return SUBMIT_VARIANTS.filter(v => input[v] !== undefined && input[v] !== null);
}

/**
 * Builds the POST /api/v1/requests/submit body for one variant, with Horizon's shapes:
 * request-side labels use `label`, secrets are {value}, SAN values are arrays.
 * `horizonCertificateId` resolves a gateway Certificate id to Horizon's _id.
 */
export function submitBody(input: SubmitRequestInput, variant: SubmitVariant, horizonCertificateId: (id: string) => string): Record<string, unknown> {
  const common = { dryRun: input.dryRun || undefined, requesterComment: input.comment };
  const tgt = (t: RequestTargetInput) => {
    const out = target(t);
    if (out.certificateId) out.certificateId = horizonCertificateId(out.certificateId);
    return out;
  };
  switch (variant) {
    case "webraEnroll": {
      const e = input.webraEnroll!;
      return clean({
        ...common,
        module: "webra",
        workflow: "enroll",
        profile: e.profile,
        template: {
          ...(e.csr ? { csr: csrToPem(e.csr) } : {}),
          ...(e.keyType ? { keyType: e.keyType } : {}),
          subject: e.subject?.map(s => ({ element: s.element, value: s.value })),
          sans: e.sans?.map(s => ({ type: s.type, value: s.values })),
          labels: labels(e.labels),
          owner: wrap(e.owner),
          team: wrap(e.team),
          contactEmail: wrap(e.contactEmail),
        },
        password: wrap(e.password),
      });
    }
    case "webraRevoke": {
      const r = input.webraRevoke!;
      return clean({ ...common, workflow: "revoke", ...tgt(r), template: { revocationReason: revocationReasonForHorizon(r.reason) } });
    }
    case "webraUpdate": {
      const u = input.webraUpdate!;
      return clean({
        ...common,
        workflow: "update",
        ...tgt(u),
        template: { labels: labels(u.labels), owner: wrap(u.owner), team: wrap(u.team), contactEmail: wrap(u.contactEmail) },
      });
    }
    case "webraRecover": {
      const r = input.webraRecover!;
      return clean({ ...common, workflow: "recover", ...tgt(r), password: wrap(r.password) });
    }
    case "webraMigrate": {
      const m = input.webraMigrate!;
      return clean({
        ...common,
        module: "webra",
        workflow: "migrate",
        profile: m.profile,
        ...tgt(m),
        template: { labels: labels(m.labels), owner: wrap(m.owner), team: wrap(m.team), contactEmail: wrap(m.contactEmail) },
      });
    }
    case "webraRenew": {
      const r = input.webraRenew!;
      return clean({
        ...common,
        module: "webra",
        workflow: "renew",
        ...tgt(r),
        template: { ...(r.csr ? { csr: csrToPem(r.csr) } : {}), ...(r.keyType ? { keyType: r.keyType } : {}) },
        password: wrap(r.password),
      });
    }
    case "webraImport": {
      const i = input.webraImport!;
      return clean({
        ...common,
        module: "webra",
        workflow: "import",
        profile: i.profile,
        certificatePem: i.certificatePem,
        template: { privateKey: i.privateKey, labels: labels(i.labels), owner: wrap(i.owner), team: wrap(i.team) },
      });
    }
    case "estEnroll":
    case "scepEnroll": {
      const c = input[variant]!;
      return clean({
        ...common,
        module: variant === "estEnroll" ? "est" : "scep",
        workflow: "enroll",
        profile: c.profile,
        dn: c.dn,
        password: wrap(c.password),
      });
    }
  }
}

/** The unified `issue` mutation as a Horizon webra enroll. */
export function enrollFromIssue(input: IssueInput): SubmitRequestInput {
  return {
    webraEnroll: {
      profile: input.horizonProfile!,
      csr: input.csr,
      keyType: input.keyType,
      subject: input.subject,
      sans: input.sans,
      labels: input.labels,
      password: input.password,
    },
    dryRun: false,
    comment: input.comment,
  } as SubmitRequestInput;
}
