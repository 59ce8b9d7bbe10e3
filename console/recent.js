// The organizations this tab asked about, offered again in the forms. Kept per tab, like the
// token; ids only, never personal data.
const KEY = 'orgledger.recent-orgs';

export function rememberedOrgs() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || '[]');
  } catch {
    return [];
  }
}

export function rememberOrg(org) {
  const orgs = [org, ...rememberedOrgs().filter((other) => other !== org)].slice(0, 10);
  sessionStorage.setItem(KEY, JSON.stringify(orgs));
}

// The organization last asked about, so that moving to another view keeps it.
export function lastOrg() {
  return rememberedOrgs()[0] || '';
}
