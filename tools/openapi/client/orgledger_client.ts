// A small typed client of orgledger's HTTP API: the types are generated from api/openapi.json by
// openapi-typescript (schema.d.ts, written by generate_client.sh), the requests are made by
// openapi-fetch with them, so a command of the wrong shape or a misspelt route does not compile.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type Command = Schemas["Command"];
export type CommandAnswer = Schemas["CommandAnswer"];

// An answer that is a problem (application/problem+json), kept whole.
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Schemas["Problem"] & Partial<Schemas["CommandProblem"]>,
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`);
  }
}

function answer<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined) return result.data;
  throw new ProblemError(result.response.status, result.error as Schemas["Problem"]);
}

export function orgledger(baseUrl: string, token: string) {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
  return {
    client,
    async submit(command: Command): Promise<CommandAnswer> {
      return answer(await client.POST("/v1/commands", { body: command }));
    },
    async members(org: string, asOf?: string): Promise<Schemas["Members"]> {
      return answer(await client.GET("/v1/orgs/{org}/members", { params: { path: { org }, query: { as_of: asOf } } }));
    },
    async check(query: paths["/v1/check"]["get"]["parameters"]["query"]): Promise<Schemas["CheckResult"]> {
      return answer(await client.GET("/v1/check", { params: { query } }));
    },
    async abuseReports(status?: "open" | "breached" | "at_risk"): Promise<Schemas["AbuseReports"]> {
      return answer(await client.GET("/v1/abuse-reports", { params: { query: { status } } }));
    },
    async events(from: number, limit: number): Promise<Schemas["EventPage"]> {
      return answer(await client.GET("/v1/events", { params: { query: { from, limit } } }));
    },
    async inclusionProof(position: number): Promise<Schemas["InclusionProof"]> {
      return answer(await client.GET("/v1/tree/inclusion", { params: { query: { position } } }));
    },
  };
}
