import type { CzertainlyCall } from "../backends/czertainly/call.js";
import type { HorizonCall } from "../backends/horizon/call.js";
import type { GatewayContext } from "./context.js";

/** The call for a CZERTAINLY-only feature (legacy v1, end entities, attributes, RA profiles). */
export const czertainlyCall = (ctx: GatewayContext): CzertainlyCall => ctx.services.backends.czertainly.call(ctx);

/** The call for a Horizon-only feature (request variants, approvals). */
export const horizonCall = (ctx: GatewayContext): HorizonCall => ctx.services.backends.horizon.call(ctx);
