// A short run of the generated client against a real server (generate_client.sh --smoke):
//   node dist/smoke.js http://127.0.0.1:PORT TOKEN
// The lines marked @ts-expect-error are commands the generated types must refuse: tsc fails if
// any of them compiles (a schema gone loose), so type-checking this file tests the document too.
import { type Command, ProblemError, orgledger } from "./orgledger_client.js";

// @ts-expect-error AddMember has no `login` (additionalProperties: false)
const extraField: Command = { type: "AddMember", actor: "u1", org: "acme", user: "carol", role: "collaborator", login: "x" };
// @ts-expect-error `role` is one of four words
const badRole: Command = { type: "ChangeMemberRole", actor: "u1", org: "acme", user: "carol", role: "boss" };
// @ts-expect-error RenewProduct needs `expires_at`
const missingField: Command = { type: "RenewProduct", actor: "svc:billing", org: "acme", product: "p-mail" };
// @ts-expect-error no such command type
const unknownType: Command = { type: "ExpireSupportAccess", actor: "svc:scheduler", org: "acme", grant: "g1" };
void [extraField, badRole, missingField, unknownType];

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`smoke: ${what}`);
}

async function main(): Promise<void> {
  const [baseUrl, token] = process.argv.slice(2);
  if (!baseUrl || !token) throw new Error("usage: node smoke.js BASE_URL TOKEN");
  const api = orgledger(baseUrl, token);
  const commands: Command[] = [
    { type: "RegisterUser", actor: "svc:signup", user: "zoe", login: "zoe@example.ch" },
    { type: "RegisterUser", actor: "svc:signup", user: "yann", login: "yann@example.ch" },
    { type: "CreateOrganization", actor: "zoe", org: "zed", name: "Zed SA" },
    { type: "RegisterProduct", actor: "zoe", org: "zed", product: "z-mail", kind: "mail_service", expires_at: null },
    { type: "AddMember", actor: "zoe", org: "zed", user: "yann", role: "collaborator", products: ["z-mail"] },
    {
      type: "FileAbuseReport", actor: "svc:abuse-desk", report: "zr1", received_at: new Date().toISOString(),
      category: "spam", reporter: "anonymous",
    },
  ];
  let last = 0;
  for (const command of commands) {
    const answered = await api.submit(command);
    expect(answered.position > last && answered.events.length > 0, `${command.type} answered ${JSON.stringify(answered)}`);
    last = answered.position;
  }
  const members = await api.members("zed");
  const roles = Object.fromEntries(members.members.map((member) => [member.user, member.role]));
  expect(roles.zoe === "legal_representative" && roles.yann === "collaborator", `members ${JSON.stringify(roles)}`);
  const allowed = await api.check({ org: "zed", user: "yann", action: "product.access", product: "z-mail" });
  expect(allowed.allowed && allowed.because[0]?.kind === "direct_grant", `check ${JSON.stringify(allowed)}`);
  const reports = await api.abuseReports("open");
  expect(reports.reports.some((report) => report.report === "zr1"), "the open abuse report");
  const page = await api.events(1, 100);
  expect(page.events.length === last && page.next === last + 1, `events ${page.events.length}, next ${page.next}`);
  const proof = await api.inclusionProof(1);
  expect(proof.leaf_index === 0 && /^[0-9a-f]{64}$/.test(proof.root_hash), "the inclusion proof");
  try {
    await api.submit({ type: "CreateOrganization", actor: "yann", org: "zed", name: "Again" });
    expect(false, "an existing organization was created again");
  } catch (error) {
    expect(error instanceof ProblemError && error.status === 409 && error.problem.code === "already_exists" &&
           typeof error.problem.command_id === "string", `the problem ${String(error)}`);
  }
  console.log(`smoke: ${commands.length} commands, members, a check, abuse reports, ${page.events.length} events, ` +
              `a proof and a problem, through the generated client`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
