#!/usr/bin/env python3
"""The console in a real browser (issue 16).

Starts `orgledger serve` on a fresh data directory, seeds a story over HTTP (an organization with
members of every role, a team, products, a direct grant that ends, a support grant, a partner
relation, a renewal, abuse reports breached and at risk), then drives headless Chromium through
Selenium (Debian's chromium, chromium-driver and python3-selenium) over every view of the console:
the members, the access intervals, the SLA states, a proof verified in the browser, `redacted`
for a token without personal_data, and the timeline updating live when a command is submitted.
A screenshot of each view goes to --artifacts. The server and the browser are always stopped.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from orgledger_process import WAIT, Server, create_token  # noqa: E402  (the tests' shared module)




def instant(delta):
    """An RFC 3339 UTC instant `delta` from now."""
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def http(base, method, path, token, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header('Authorization', f'Bearer {token}')
    request.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b'null')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')


def seed(base, token):
    """The story every view is checked against; returns the positions the checks need."""
    positions = {}

    def submit(name, command):
        status, answer = http(base, 'POST', '/v1/commands', token, command)
        assert status == 200, f'{command["type"]}: {status} {answer}'
        positions[name] = answer['position']

    for user in ['carol', 'adam', 'cleo', 'ezra', 'rita']:
        submit(f'user {user}', {'type': 'RegisterUser', 'actor': 'svc:signup', 'user': user,
                                'login': f'{user}@example.ch'})
    submit('acme', {'type': 'CreateOrganization', 'actor': 'carol', 'org': 'acme', 'name': 'Acme SA'})
    for user, role in [('adam', 'administrator'), ('cleo', 'collaborator'), ('ezra', 'external')]:
        submit(f'member {user}', {'type': 'AddMember', 'actor': 'carol', 'org': 'acme', 'user': user, 'role': role})
    submit('p-mail', {'type': 'RegisterProduct', 'actor': 'svc:billing', 'org': 'acme', 'product': 'p-mail',
                      'kind': 'mail_service', 'name': 'Mail', 'expires_at': instant(datetime.timedelta(days=60))})
    submit('p-drive', {'type': 'RegisterProduct', 'actor': 'svc:billing', 'org': 'acme', 'product': 'p-drive',
                       'kind': 'kdrive', 'name': 'kDrive'})
    submit('before team', {'type': 'SetBillingRights', 'actor': 'carol', 'org': 'acme', 'user': 'cleo', 'billing': True})
    submit('team', {'type': 'CreateTeam', 'actor': 'adam', 'org': 'acme', 'team': 'web', 'name': 'Web team'})
    submit('team members', {'type': 'AddTeamMembers', 'actor': 'adam', 'org': 'acme', 'team': 'web', 'users': ['cleo']})
    submit('team product', {'type': 'GrantTeamProductAccess', 'actor': 'adam', 'org': 'acme', 'team': 'web',
                            'product': 'p-mail'})
    submit('team leader', {'type': 'SetTeamLeader', 'actor': 'adam', 'org': 'acme', 'team': 'web', 'user': 'cleo'})
    submit('ezra granted', {'type': 'GrantProductAccess', 'actor': 'adam', 'org': 'acme', 'user': 'ezra', 'product': 'p-mail'})
    submit('ezra revoked', {'type': 'RevokeProductAccess', 'actor': 'adam', 'org': 'acme', 'user': 'ezra', 'product': 'p-mail'})
    submit('support grant', {'type': 'GrantSupportAccess', 'actor': 'carol', 'org': 'acme', 'grant': 'g1', 'scope': 'mail',
                             'ticket': 'T-1'})
    submit('ticket', {'type': 'AssignSupportTicket', 'actor': 'svc:support', 'ticket': 'T-1', 'agent': 'agent:zoe'})
    submit('resell', {'type': 'CreateOrganization', 'actor': 'rita', 'org': 'resell', 'name': 'Resell GmbH'})
    submit('partner program', {'type': 'JoinPartnerProgram', 'actor': 'svc:partners', 'org': 'resell'})
    submit('relation', {'type': 'EstablishPartnerRelation', 'actor': 'carol', 'partner_org': 'resell', 'client_org': 'acme',
                        'scope': ['p-mail'], 'billing': True})
    submit('manager', {'type': 'AssignPartnerManager', 'actor': 'rita', 'partner_org': 'resell', 'client_org': 'acme',
                       'user': 'rita'})
    submit('renewal', {'type': 'EnableAutoRenewal', 'actor': 'carol', 'org': 'acme', 'product': 'p-mail',
                       'payment_method': 'visa'})
    # A7 aside, the acknowledgment's 24 h are calendar time: 3 days old is breached, 20 h old is
    # at risk (4 h of 24 left, under 25 %), 1 h old and acknowledged is met.
    submit('r1', {'type': 'FileAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'r1', 'category': 'spam',
                  'received_at': instant(-datetime.timedelta(days=3)),
                  'reporter': {'name': 'Ida', 'email': 'ida@example.org'}})
    submit('r2', {'type': 'FileAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'r2', 'category': 'phishing',
                  'received_at': instant(-datetime.timedelta(hours=20)), 'reporter': 'anonymous'})
    submit('r3', {'type': 'FileAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'r3', 'category': 'malware',
                  'received_at': instant(-datetime.timedelta(hours=1)), 'reporter': {'email': 'sec@example.net'}})
    submit('r3 acknowledged', {'type': 'AcknowledgeAbuseReport', 'actor': 'agent:zoe', 'report': 'r3'})
    return positions


def rfc6962_cases():
    """Inclusion proofs of every leaf of trees of 1 to 9 leaves, by RFC 6962's own recursive
    definitions (MTH and PATH, §2.1) — a second implementation for the console's merkle.js —
    and broken ones it must reject."""
    leaf = lambda data: hashlib.sha256(b'\x00' + data).digest()
    node = lambda left, right: hashlib.sha256(b'\x01' + left + right).digest()

    def split(n):
        k = 1
        while k * 2 < n:
            k *= 2
        return k

    def mth(entries):
        if len(entries) == 1:
            return leaf(entries[0])
        k = split(len(entries))
        return node(mth(entries[:k]), mth(entries[k:]))

    def path(m, entries):
        if len(entries) == 1:
            return []
        k = split(len(entries))
        if m < k:
            return path(m, entries[:k]) + [mth(entries[k:])]
        return path(m - k, entries[k:]) + [mth(entries[:k])]

    good, bad = [], []
    for size in range(1, 10):
        entries = [f'event {i}'.encode() for i in range(size)]
        root = mth(entries).hex()
        for index in range(size):
            proof = [h.hex() for h in path(index, entries)]
            case = {'data': entries[index].hex(), 'index': index, 'size': size, 'path': proof}
            good.append((case, root))
            if proof:
                flipped = [proof[0][:-2] + ('00' if proof[0][-2:] != '00' else '01')] + proof[1:]
                bad.append({**case, 'path': flipped})
                bad.append({**case, 'path': proof[:-1]})
            bad.append({**case, 'path': proof + [proof[0] if proof else '00' * 32]})
            if size > 1:
                bad.append({**case, 'index': (index + 1) % size})
    return good, bad


def start_browser(profile):
    options = Options()
    options.binary_location = shutil.which('chromium') or '/usr/bin/chromium'
    for flag in ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--disable-dev-shm-usage', '--window-size=1440,1000', f'--user-data-dir={profile}']:
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    # The driver named outright: Selenium would otherwise look for one on the network.
    service = Service(executable_path=shutil.which('chromedriver') or '/usr/bin/chromedriver')
    return webdriver.Chrome(service=service, options=options)


class Console:
    """The console in the browser, and the checks on it."""

    def __init__(self, driver, base, artifacts):
        self.driver = driver
        self.base = base
        self.artifacts = artifacts

    def open(self, hash_):
        self.driver.get(f'{self.base}/{hash_}')

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, WAIT, poll_frequency=0.1).until(lambda d: condition(d))
        except TimeoutException:
            self.shot('failure')
            raise AssertionError(f'timed out waiting for {what}; page text:\n{self.text()[:3000]}')

    def text(self, selector='main'):
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait_text(self, needle, selector='main'):
        self.wait(lambda d: needle in d.find_element(By.CSS_SELECTOR, selector).text, f'"{needle}" in {selector}')

    def shot(self, name):
        """The whole page, not only the window (DevTools' beyond-the-viewport capture)."""
        os.makedirs(self.artifacts, exist_ok=True)
        size = self.driver.execute_cdp_cmd('Page.getLayoutMetrics', {})['cssContentSize']
        shot = self.driver.execute_cdp_cmd('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': True,
            'clip': {'x': 0, 'y': 0, 'width': size['width'], 'height': min(size['height'], 6000), 'scale': 1}})
        with open(os.path.join(self.artifacts, f'{name}.png'), 'wb') as file:
            file.write(base64.b64decode(shot['data']))

    def paste_token(self, token):
        self.wait(lambda d: d.find_elements(By.ID, 'token-input'), 'the token prompt')
        field = self.driver.find_element(By.ID, 'token-input')
        field.send_keys(token)
        field.send_keys(Keys.ENTER)
        self.wait(lambda d: d.find_elements(By.ID, 'forget-token'), 'the token to be taken')

    def row_texts(self, selector):
        return [row.text for row in self.all(selector)]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def run(args):
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix='orgledger-console-test-')
    server = None
    driver = None
    try:
        data = os.path.join(work, 'data')
        admin = create_token(args.orgledger, data, 'console-admin', 'read,audit,write,personal_data', 'svc:console-test')
        auditor = create_token(args.orgledger, data, 'console-auditor', 'read,audit', 'svc:auditor')
        server = Server(args.orgledger, data)
        positions = seed(server.base, admin)
        driver = start_browser(os.path.join(work, 'profile'))
        console = Console(driver, server.base, args.artifacts)

        # The page and its files need no token; it asks for one, keeps it in the tab only.
        console.open('')
        console.wait_text('Paste an API token')
        console.paste_token(admin)
        check(driver.execute_script("return sessionStorage.getItem('orgledger.token')") == admin, 'token in sessionStorage')

        # Organization: members and roles, logins in clear for personal_data, teams, products,
        # partners, renewals, the support grant's countdown.
        console.open('#/org?org=acme')
        console.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, '.login:not(.muted)')) == 4, 'the members\' logins')
        members = console.row_texts('section:nth-of-type(1) tbody tr')
        for user, role in [('carol', 'legal representative'), ('adam', 'administrator'), ('cleo', 'collaborator'),
                           ('ezra', 'external')]:
            check(any(row.startswith(f'{user} {user}@example.ch {role}') for row in members),
                  f'member {user} as {role} with login: {members}')
        page = console.text()
        for needle in ['Acme SA', 'Web team', 'p-mail', 'p-drive', 'resell', 'on (visa)', 'g1', 'T-1']:
            check(needle in page, f'"{needle}" on the organization page')
        countdown = console.all('.countdown')
        check(len(countdown) == 1 and re.match(r'6d 23h \d+m', countdown[0].text), f'countdown: {[c.text for c in countdown]}')
        first = countdown[0].text
        console.wait(lambda d: d.find_element(By.CSS_SELECTOR, '.countdown').text != first, 'the countdown to tick')
        link = driver.find_element(By.CSS_SELECTOR, '.view-link').get_attribute('href')
        check(link == f'{server.base}/#/org?org=acme' and admin not in driver.current_url, f'view link {link}')
        console.shot('organization')

        # The as-of picker: before the team was created there was none, and the link says so.
        field = driver.find_element(By.ID, 'field-org-as_of')
        field.send_keys(str(positions['before team']))
        field.send_keys(Keys.ENTER)
        console.wait_text(f'as of position {positions["before team"]}')
        console.wait_text('No teams.')
        check(driver.current_url == f'{server.base}/#/org?org=acme&as_of={positions["before team"]}', driver.current_url)
        check(driver.find_element(By.CSS_SELECTOR, '.view-link').get_attribute('href') == driver.current_url, 'link = address')
        console.open('#/org?org=nowhere')
        console.wait_text('404 not_found')

        # Access history: who could reach p-mail, when and why.
        console.open('#/access?org=acme&product=p-mail&axis=position')
        console.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'tr.interval'), 'the intervals')
        intervals = console.row_texts('tr.interval')
        for user, why in [('carol', 'role legal representative'), ('adam', 'role administrator'), ('cleo', 'team web'),
                          ('ezra', 'direct grant'), ('rita', 'partner resell')]:
            check(any(row.startswith(f'{user} {why}') for row in intervals), f'{user} via {why}: {intervals}')
        ezra = next(row for row in intervals if row.startswith('ezra'))
        check(f'#{positions["ezra granted"]}' in ezra and f'#{positions["ezra revoked"]}' in ezra, f'ezra closed: {ezra}')
        check('still open' in next(row for row in intervals if row.startswith('cleo')), 'cleo still open')
        bars = console.all('svg.gantt rect.bar')
        check(len(bars) == len(intervals), f'{len(bars)} bars for {len(intervals)} intervals')
        check({bar.get_attribute('data-kind') for bar in bars} >= {'role', 'team', 'direct_grant', 'partner'}, 'bar kinds')
        console.shot('access-history')
        # As of the direct grant, ezra's interval was open and the partner had none yet.
        console.open(f'#/access?org=acme&product=p-mail&to={positions["ezra granted"]}')
        console.wait_text(f'as of position {positions["ezra granted"]}')
        intervals = console.row_texts('tr.interval')
        check(any(row.startswith('ezra direct grant') and 'still open' in row for row in intervals), intervals)
        check(not any(row.startswith('rita') for row in intervals), intervals)

        # Abuse SLA board: breached and at-risk stages highlighted as the server says (A4, A7).
        console.open('#/abuse?status=all')
        console.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, 'tr.report')) == 3, 'three reports')
        rows = {row.find_element(By.CSS_SELECTOR, 'td code').text: row for row in console.all('tr.report')}
        check('breached' in rows['r1'].get_attribute('class'), 'r1 breached')
        check('at_risk' in rows['r2'].get_attribute('class'), 'r2 at risk')
        stage = lambda report, i: rows[report].find_elements(By.CSS_SELECTOR, '.stage')[i].get_attribute('data-status')
        check(stage('r1', 0) == 'breached' and stage('r2', 0) == 'at_risk' and stage('r3', 0) == 'met',
              f'acknowledgments: {stage("r1", 0)} {stage("r2", 0)} {stage("r3", 0)}')
        check('ida@example.org' in rows['r1'].text and 'anonymous' in rows['r2'].text, 'reporters in clear')
        tiles = console.text('.tiles')
        check(re.search(r'3\s+reports', tiles) and re.search(r'1\s+breached', tiles) and re.search(r'1\s+at risk', tiles), tiles)
        console.shot('abuse-sla')
        console.open(f'#/abuse?status=all&as_of={positions["r1"]}')
        console.wait_text(f'as of position {positions["r1"]}')
        check(len(console.all('tr.report')) == 1, 'one report as of r1')

        # merkle.js against RFC 6962's definitions: every leaf of small trees, and broken proofs.
        good, bad = rfc6962_cases()
        driver.set_script_timeout(WAIT)
        roots = driver.execute_async_script('''
            const done = arguments[arguments.length - 1];
            import('/console/merkle.js').then(async (m) => {
              const out = [];
              for (const c of arguments[0]) {
                const leaf = await m.leafHash(m.hexToBytes(c.data));
                const r = await m.rootFromInclusionPath(c.index, c.size, leaf, c.path.map(m.hexToBytes));
                out.push(r.root ? m.bytesToHex(r.root) : `problem: ${r.problem}`);
              }
              done(out);
            }).catch((error) => done(`error: ${error}`));''', [case for case, _ in good] + bad)
        check(isinstance(roots, list), roots)
        for (case, root), got in zip(good, roots):
            check(got == root, f'merkle.js: leaf {case["index"]} of {case["size"]}: {got} != {root}')
        root_of_size = {case['size']: root for case, root in good}
        for case, got in zip(bad, roots[len(good):]):
            check(got != root_of_size[case['size']], f'merkle.js accepted a broken proof: {case}')

        # Integrity: verify, the signed checkpoint, and an inclusion proof checked with WebCrypto.
        proven = positions['member cleo']
        console.open(f'#/integrity?position={proven}')
        console.wait(lambda d: d.find_element(By.ID, 'proof-result').text.startswith(('verified', 'FAILED')), 'the proof')
        check(driver.find_element(By.ID, 'proof-result').text.startswith('verified'), console.text())
        console.wait(lambda d: d.find_elements(By.ID, 'verify-result'), 'verify')
        check(driver.find_element(By.ID, 'verify-result').text == 'verified', 'verify result')
        console.wait_text('valid Ed25519')
        check('MemberAdded' in console.text(), 'the proven event')
        console.shot('integrity')

        # Timeline: the org's events with actor and via, then live over SSE.
        console.open('#/timeline?org=acme')
        console.wait(lambda d: 'live' in d.find_element(By.CSS_SELECTOR, '.live-status').text, 'the live stream')
        rows = console.row_texts('table.events tbody tr')
        check(any('MemberAdded' in row and 'carol' in row and 'svc:console-test' in row for row in rows), rows[:5])
        before = len(rows)
        status, answer = http(server.base, 'POST', '/v1/commands', admin,
                              {'type': 'CreateTeam', 'actor': 'adam', 'org': 'acme', 'team': 'ops', 'name': 'Ops'})
        check(status == 200, answer)
        console.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f'tr[data-position="{answer["position"]}"]'), 'the live event')
        newest = console.all('table.events tbody tr')[0]
        check('TeamCreated' in newest.text and 'fresh' in newest.get_attribute('class'), newest.text)
        check(len(console.all('table.events tbody tr')) == before + 1, 'one more row')
        console.shot('timeline')
        console.open('#/timeline?org=acme&type=MemberAdded')
        console.wait(lambda d: 'live' in d.find_element(By.CSS_SELECTOR, '.live-status').text, 'the filtered stream')
        types = {row.get_attribute('data-type') for row in console.all('table.events tbody tr')}
        check(types == {'MemberAdded'}, types)
        # As of a position: the events up to it, and nothing live.
        console.open(f'#/timeline?org=acme&as_of={positions["team"]}')
        console.wait_text('a past point')
        shown = [int(row.get_attribute('data-position')) for row in console.all('table.events tbody tr')]
        check(shown and max(shown) == positions['team'], shown)

        # A token without personal_data: logins and reporters are "redacted" (G3), as the API says.
        driver.find_element(By.ID, 'forget-token').click()
        console.paste_token(auditor)
        console.open('#/org?org=acme')
        console.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, '.login .hidden-redacted')) == 4, 'redacted logins')
        check('@example.ch' not in console.text(), 'no login in clear')
        console.shot('organization-redacted')
        console.open('#/abuse?status=all')
        console.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, 'tr.report')) == 3, 'the reports')
        check(len(console.all('tr.report .hidden-redacted')) == 2 and 'ida@' not in console.text(), 'redacted reporters')
        console.shot('abuse-sla-redacted')
        # ...and a token the server refuses: the page says why and asks again.
        driver.execute_script("sessionStorage.setItem('orgledger.token', 'not-a-token')")
        console.open('#/org?org=acme')
        console.wait_text('401 unauthenticated')
        console.wait(lambda d: d.find_elements(By.ID, 'token-input'), 'the token prompt again')

        # Nothing the page loaded broke a rule: no script error, no Content-Security-Policy refusal.
        problems = [entry['message'] for entry in driver.get_log('browser')
                    if entry['level'] == 'SEVERE' and not re.search(r' (401|404) ', entry['message'])]
        check(not problems, f'browser console: {problems}')
        check(all(token not in entry['message'] for entry in driver.get_log('browser') for token in (admin, auditor)),
              'no token in the browser log')
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f'console_test: passed in {time.monotonic() - started:.1f} s; screenshots in {args.artifacts}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--orgledger', required=True, help='the orgledger binary')
    parser.add_argument('--artifacts', required=True, help='where the screenshots go')
    run(parser.parse_args())


if __name__ == '__main__':
    try:
        main()
    except AssertionError as failure:
        print(f'console_test: FAILED: {failure}', file=sys.stderr)
        sys.exit(1)
