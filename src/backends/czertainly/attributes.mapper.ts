import { AttributeDefinition } from "../../model/attribute.type.js";

/** The CZERTAINLY BaseAttribute fields the graph reads (v2 data/info/group attributes). */
export interface CzAttributeLike {
  uuid: string;
  name: string;
  type?: string;
  contentType?: string;
  description?: string;
  content?: unknown;
  properties?: { label?: string; required?: boolean; readOnly?: boolean; list?: boolean; multiSelect?: boolean; visible?: boolean };
  constraints?: unknown;
}

export function attributeFromCzertainly(a: CzAttributeLike): AttributeDefinition {
  const p = a.properties ?? {};
  return Object.assign(new AttributeDefinition(), {
    uuid: a.uuid,
    name: a.name,
    type: a.type,
    contentType: a.contentType,
    label: p.label,
    description: a.description,
    required: p.required ?? false,
    readOnly: p.readOnly ?? false,
    list: p.list ?? false,
    multiSelect: p.multiSelect ?? false,
    constraints: a.constraints,
    content: a.content,
  });
}
