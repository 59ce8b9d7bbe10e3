#!/usr/bin/env python3
"""The soak (issue 17): one real `orgledger serve` under mixed load for a long time, sampled.

Load, each kind on its own threads and connections:
  - writers: members added to and removed from a few organizations, products granted and revoked
    (a bounded state over an ever longer log: what must not grow is the server, not the state);
  - checkers: GET /v1/check on the live state;
  - as-of readers: GET /v1/orgs/{org}/members?as_of=P at random past positions;
  - one SSE subscriber: GET /v1/events/subscribe, read as it comes;
  - snapshots: serve --snapshot-every, and checkpoints signed every second (serve's default).
Every --sample seconds one row: elapsed seconds, the server's resident memory (VmRSS), and per
kind the rate and p50/p99 of that window. Rows go to --out/samples.csv; a summary (after
--warmup) says whether memory stayed flat and p99 did not drift, from a least-squares slope and a
comparison of the first and last thirds.

  soak.py --orgledger BIN [--seconds 1800] [--sample 15] [--warmup 300] [--out DIR]

bench/run_soak.sh runs it and plots the rows (gnuplot) into bench/soak.png.
"""

import argparse
import csv
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'support'))
from orgledger_process import Server, create_token  # noqa: E402

ORGS = [f'soak{i}' for i in range(4)]
USERS = [f'user{i}' for i in range(120)]
PRODUCTS = ['mail', 'drive']
KINDS = ['command', 'check', 'as_of']


class Stats:
    """Latencies per kind for the current window, swapped out by the sampler."""

    def __init__(self):
        self.lock = threading.Lock()
        self.window = {kind: [] for kind in KINDS}
        self.errors = {kind: 0 for kind in KINDS}
        self.first_error = None
        self.events_seen = 0
        self.stopping = False  # once set, the server is going away: a failed request says nothing

    def add(self, kind, seconds):
        with self.lock:
            self.window[kind].append(seconds)

    def error(self, kind, status, body):
        """An answer the load did not expect: counted, and the first one kept to be shown."""
        with self.lock:
            if self.stopping:
                return
            self.errors[kind] += 1
            if self.first_error is None:
                self.first_error = f'{kind}: {status} {body[:300]!r}'
                print(f'soak: unexpected answer, {self.first_error}', file=sys.stderr, flush=True)

    def swap(self):
        with self.lock:
            window, self.window = self.window, {kind: [] for kind in KINDS}
            return window


class Client:
    def __init__(self, port, token):
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)

    def request(self, method, path, body=None):
        headers = {'Authorization': f'Bearer {self.token}'}
        if body is not None:
            headers['Content-Type'] = 'application/json'
            body = json.dumps(body)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60)
            return 0, b''


def command(client, stats, body):
    started = time.monotonic()
    status, answer = client.request('POST', '/v1/commands', body)
    stats.add('command', time.monotonic() - started)
    # Refusals are part of the load: a member already there (409), one not there to remove (404),
    # a rule's refusal (422).
    if status not in (200, 404, 409, 422):
        stats.error('command', status, answer)


def writer(port, token, stats, stop, seed):
    client = Client(port, token)
    rng = random.Random(seed)
    while not stop.is_set():
        org, user, product = rng.choice(ORGS), rng.choice(USERS), rng.choice(PRODUCTS)
        kind = rng.random()
        if kind < 0.35:
            body = {'type': 'AddMember', 'actor': 'owner', 'org': org, 'user': user,
                    'role': rng.choice(['collaborator', 'external', 'administrator'])}
        elif kind < 0.65:
            body = {'type': 'RemoveMember', 'actor': 'owner', 'org': org, 'user': user}
        elif kind < 0.85:
            body = {'type': 'GrantProductAccess', 'actor': 'owner', 'org': org, 'user': user, 'product': f'{org}-{product}'}
        else:
            body = {'type': 'RevokeProductAccess', 'actor': 'owner', 'org': org, 'user': user, 'product': f'{org}-{product}'}
        command(client, stats, body)


def checker(port, token, stats, stop, seed):
    client = Client(port, token)
    rng = random.Random(seed)
    while not stop.is_set():
        org, user = rng.choice(ORGS), rng.choice(USERS)
        started = time.monotonic()
        status, answer = client.request('GET', f'/v1/check?org={org}&user={user}&action=product.access&product={org}-mail')
        stats.add('check', time.monotonic() - started)
        if status != 200:
            stats.error('check', status, answer)


def as_of_reader(port, token, stats, stop, seed, head):
    client = Client(port, token)
    rng = random.Random(seed)
    while not stop.is_set():
        position = rng.randint(1, max(1, head[0]))
        started = time.monotonic()
        status, answer = client.request('GET', f'/v1/orgs/{rng.choice(ORGS)}/members?as_of={position}')
        stats.add('as_of', time.monotonic() - started)
        if status not in (200, 404):  # 404: an organization not yet created at that position
            stats.error('as_of', status, answer)
        time.sleep(0.05)


def subscriber(port, token, stats, stop, head):
    """SSE from the start; keeps the latest position seen (the as-of readers' range)."""
    while not stop.is_set():
        connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
        try:
            connection.request('GET', '/v1/events/subscribe?from=1', headers={'Authorization': f'Bearer {token}'})
            response = connection.getresponse()
            while not stop.is_set():
                line = response.readline()
                if not line:
                    break
                if line.startswith(b'id: '):
                    head[0] = int(line[4:].strip())
                    stats.events_seen += 1
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.5)
        finally:
            connection.close()


def rss_mib(pid):
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0.0


STORE_GAUGES = [('memtables', 'orgledger_store_memory_bytes{kind="memtables"}'),
                ('table_readers', 'orgledger_store_memory_bytes{kind="table_readers"}'),
                ('block_cache', 'orgledger_store_memory_bytes{kind="block_cache"}')]


def store_figures(client):
    """The store's memory by kind (MiB), its live table files, the as-of rungs held (count, MiB by
    their estimate) and the C heap (MiB in use, MiB free in its arenas), from /metrics."""
    status, body = client.request('GET', '/metrics')
    values = {}
    if status == 200:
        for line in body.decode().splitlines():
            name, _, value = line.rpartition(' ')
            values[name] = value
    row = [round(float(values.get(series, 0)) / (1 << 20), 1) for _, series in STORE_GAUGES]
    heap = [round(float(values.get(f'orgledger_heap_bytes{{kind="{kind}"}}', 0)) / (1 << 20), 1) for kind in ('in_use', 'free')]
    rungs = [int(values.get('orgledger_as_of_rungs', 0)), round(float(values.get('orgledger_as_of_rungs_bytes', 0)) / (1 << 20), 2)]
    return row + [int(values.get('orgledger_store_table_files', 0))] + rungs + heap


def percentile(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def slope(xs, ys):
    """Least-squares slope of ys over xs."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--orgledger', required=True)
    parser.add_argument('--seconds', type=int, default=1800)
    parser.add_argument('--sample', type=int, default=15)
    parser.add_argument('--warmup', type=int, default=300)
    parser.add_argument('--writers', type=int, default=4)
    parser.add_argument('--checkers', type=int, default=4)
    parser.add_argument('--out', default='bench/out/soak')
    parser.add_argument('--seed', type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    os.makedirs(args.out, exist_ok=True)
    data = tempfile.mkdtemp(prefix='orgledger-soak-')
    token = create_token(args.orgledger, data, 'soak', 'read,write,audit', 'svc:soak')
    server = Server(args.orgledger, data, ['--snapshot-every', '5000'])
    stop = threading.Event()
    stats = Stats()
    try:
        setup = Client(server.port, token)

        def given(body):
            status, answer = setup.request('POST', '/v1/commands', body)
            if status != 200:
                raise SystemExit(f'soak: the setup command {body} was answered {status} {answer[:300]!r}')

        given({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': 'owner', 'login': 'owner@example.ch'})
        for user in USERS:
            given({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': user, 'login': f'{user}@example.ch'})
        for org in ORGS:
            given({'type': 'CreateOrganization', 'actor': 'owner', 'org': org, 'name': org})
            for product in PRODUCTS:
                given({'type': 'RegisterProduct', 'actor': 'owner', 'org': org, 'product': f'{org}-{product}',
                       'kind': 'mail_service' if product == 'mail' else 'kdrive'})
        head = [1]
        threads = [threading.Thread(target=subscriber, args=(server.port, token, stats, stop, head), daemon=True)]
        threads += [threading.Thread(target=writer, args=(server.port, token, stats, stop, seed + i), daemon=True) for i in range(args.writers)]
        threads += [threading.Thread(target=checker, args=(server.port, token, stats, stop, seed + 100 + i), daemon=True) for i in range(args.checkers)]
        threads += [threading.Thread(target=as_of_reader, args=(server.port, token, stats, stop, seed + 200, head), daemon=True)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        rows = []
        with open(os.path.join(args.out, 'samples.csv'), 'w', newline='') as file:
            out = csv.writer(file)
            # The store's columns come last: run_soak.sh plots by column number.
            out.writerow(['seconds', 'rss_mib', 'head'] + [f'{kind}_{what}' for kind in KINDS for what in ('per_s', 'p50_ms', 'p99_ms')]
                         + [f'store_{name}_mib' for name, _ in STORE_GAUGES] + ['store_table_files', 'as_of_rungs', 'as_of_rungs_mib', 'heap_in_use_mib', 'heap_free_mib'])
            metrics = Client(server.port, token)
            while time.monotonic() - started < args.seconds:
                time.sleep(args.sample)
                window = stats.swap()
                row = [round(time.monotonic() - started), round(rss_mib(server.process.pid), 1), head[0]]
                for kind in KINDS:
                    values = window[kind]
                    row += [round(len(values) / args.sample, 1), round(percentile(values, 0.5) * 1000, 2),
                            round(percentile(values, 0.99) * 1000, 2)]
                row += store_figures(metrics)
                out.writerow(row)
                file.flush()
                rows.append(row)
                print(' '.join(str(v) for v in row), flush=True)
        stop.set()
    finally:
        stop.set()
        stats.stopping = True
        server.stop()
    verify = os.popen(f'{args.orgledger} verify --data {data}').read().strip()
    shutil.rmtree(data, ignore_errors=True)

    after = [row for row in rows if row[0] >= args.warmup]
    xs = [row[0] / 60 for row in after]
    rss = [row[1] for row in after]
    third = max(1, len(after) // 3)
    summary = {
        'seed': seed, 'seconds': args.seconds, 'samples': len(rows), 'errors': stats.errors, 'first_error': stats.first_error,
        'events': rows[-1][2] if rows else 0, 'verify': verify.splitlines()[-1] if verify else '',
        'rss_mib_after_warmup': [min(rss, default=0), max(rss, default=0)],
        'rss_slope_mib_per_min': round(slope(xs, rss), 3),
    }
    for index, (name, _) in enumerate(STORE_GAUGES):
        column = 3 + len(KINDS) * 3 + index
        summary[f'store_{name}_slope_mib_per_min'] = round(slope(xs, [row[column] for row in after]), 3)
    summary['store_table_files_first_last'] = [after[0][-5], after[-1][-5]] if after else [0, 0]
    summary['as_of_rungs_first_last'] = [after[0][-4], after[-1][-4]] if after else [0, 0]
    summary['as_of_rungs_mib_first_last'] = [after[0][-3], after[-1][-3]] if after else [0, 0]
    for name, column in (('heap_in_use', -2), ('heap_free', -1)):
        summary[f'{name}_slope_mib_per_min'] = round(slope(xs, [row[column] for row in after]), 3)
    for index, kind in enumerate(KINDS):
        column = 3 + index * 3 + 2  # p99
        first = statistics.median([row[column] for row in after[:third]]) if after else 0
        last = statistics.median([row[column] for row in after[-third:]]) if after else 0
        summary[f'{kind}_p99_ms_first_last_third'] = [first, last]
        summary[f'{kind}_per_s_median'] = statistics.median([row[3 + index * 3] for row in after]) if after else 0
    with open(os.path.join(args.out, 'summary.json'), 'w') as file:
        json.dump(summary, file, indent=1)
    print(json.dumps(summary, indent=1))
    if any(stats.errors.values()):
        raise SystemExit(f'soak: {sum(stats.errors.values())} unexpected answers, the first: {stats.first_error}')


if __name__ == '__main__':
    main()
