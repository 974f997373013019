import type { Reply } from "../http-kit.js";

/** An error answered the way Core's ExceptionHandlingAdvice (OmniTrustILM/core@2.18.0) does. */
export class CoreError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "object" && body && "message" in body ? String((body as { message: unknown }).message) : JSON.stringify(body));
  }

  reply(): Reply {
    return this.body === undefined ? { status: this.status } : { status: this.status, body: this.body };
  }
}

/** 422 ValidationException: a bare array of messages. */
export const validation = (...messages: string[]) => new CoreError(422, messages);

/** 400 with ErrorMessageDto. */
export const badRequest = (message: string) => new CoreError(400, { message });

/** 404 NotFoundException. */
export const notFound = (type: string, id: string) => new CoreError(404, { message: `Object of type '${type}' identified by ${id} is not found.` });

/** 409 AlreadyExistException. */
export const conflict = (message: string) => new CoreError(409, { message });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Core parses path uuids with UUID.fromString: anything else is a 400. */
export function requireUuid(value: string): string {
  if (!UUID.test(value)) throw badRequest(`Invalid UUID string: ${value}`);
  return value.toLowerCase();
}
