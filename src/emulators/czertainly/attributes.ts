import type { BaseAttribute, RequestAttribute } from "../../backends/czertainly/wire.js";

const dataAttribute = (
  uuid: string,
  name: string,
  contentType: string,
  label: string,
  description: string,
  required: boolean,
  constraints: BaseAttribute["constraints"] = [],
): BaseAttribute => ({
  uuid,
  name,
  type: "data",
  contentType,
  description,
  properties: { label, visible: true, required, readOnly: false, list: false, multiSelect: false },
  constraints,
});

/** Issue attributes of the attrs-profile: one required string with a pattern, one optional ranged integer. */
export const ATTRS_PROFILE_ISSUE: BaseAttribute[] = [
  dataAttribute("5f7c1f0e-8a4b-4d25-9f1e-3c2a1b0d9e01", "department", "string", "Department", "Department that owns the certificate", true, [
    {
      type: "regExp",
      description: "Letters and spaces, 2 to 32",
      errorMessage: "Department must be 2 to 32 letters or spaces",
      data: "^[A-Za-z ]{2,32}$",
    },
  ]),
  dataAttribute("5f7c1f0e-8a4b-4d25-9f1e-3c2a1b0d9e02", "validityDays", "integer", "Validity (days)", "Requested validity in days", false, [
    { type: "range", description: "1 to 825 days", errorMessage: "Validity must be between 1 and 825 days", data: { from: 1, to: 825 } },
  ]),
];

/** Revoke attributes of the attrs-profile: an optional change ticket. */
export const ATTRS_PROFILE_REVOKE: BaseAttribute[] = [
  dataAttribute("5f7c1f0e-8a4b-4d25-9f1e-3c2a1b0d9e03", "ticket", "string", "Change ticket", "Change ticket that authorises the revocation", false, [
    { type: "regExp", description: "Ticket id such as CHG-123", errorMessage: "Ticket must look like CHG-123", data: "^[A-Z]+-[0-9]+$" },
  ]),
];

function contentValue(attr: RequestAttribute): unknown {
  return Array.isArray(attr.content) && attr.content.length > 0 ? attr.content[0]?.data : undefined;
}

function checkValue(def: BaseAttribute, value: unknown): string[] {
  const messages: string[] = [];
  if (def.contentType === "integer" && !(typeof value === "number" && Number.isInteger(value)) && !/^-?\d+$/.test(String(value))) {
    return [`Attribute '${def.name}': value '${String(value)}' is not an integer`];
  }
  if (def.contentType === "boolean" && typeof value !== "boolean") return [`Attribute '${def.name}': value is not a boolean`];
  for (const c of def.constraints ?? []) {
    if (c.type === "regExp" && !new RegExp(String(c.data)).test(String(value)))
      messages.push(c.errorMessage ?? `Attribute '${def.name}' does not match ${String(c.data)}`);
    if (c.type === "range") {
      const { from, to } = c.data as { from?: number; to?: number };
      const n = Number(value);
      if ((from !== undefined && n < from) || (to !== undefined && n > to))
        messages.push(c.errorMessage ?? `Attribute '${def.name}' is out of range`);
    }
  }
  return messages;
}

/** Validates request attributes against definitions; returns Core-style messages (empty when valid). */
export function validateAttributes(definitions: BaseAttribute[], attributes: unknown): string[] {
  if (attributes !== undefined && attributes !== null && !Array.isArray(attributes)) return ["Attributes must be a list"];
  const given = ((attributes as RequestAttribute[] | undefined) ?? []).filter(a => a && typeof a === "object");
  const messages: string[] = [];
  for (const a of given) {
    if (typeof a.name !== "string" || !a.name) messages.push("Attribute without a name");
  }
  for (const def of definitions) {
    const attr = given.find(a => a.name === def.name || (a.uuid && a.uuid === def.uuid));
    const value = attr ? contentValue(attr) : undefined;
    if (value === undefined || value === null || value === "") {
      if (def.properties?.required) messages.push(`Required attribute '${def.name}' (${def.properties.label ?? def.name}) is missing`);
      continue;
    }
    messages.push(...checkValue(def, value));
  }
  return messages;
}
