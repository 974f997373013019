import { buildSchema, type PubSub } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { resolvers } from "../../resolvers/index.js";

/** type-graphql wants a PubSub once there are subscriptions; ours stream from the watch hub (`subscribe`), never topics. */
const noTopics: PubSub = {
  publish() {},
  subscribe() {
    throw new Error("Topic subscriptions are not used: subscriptions stream from the watch hub");
  },
};

/** Builds the executable schema from the one resolver list (server, emitter and tests share it). */
export async function buildGatewaySchema(pubSub: PubSub = noTopics): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    pubSub,
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
  });
}
