#!/usr/bin/env python3
"""The replicated ledger beside the single node (issue 18), in one run on this machine:

  - durable commands/s at 64 connections (wrk, bench/http_commands.lua) against one `serve` and
    against the writer of a three-node cluster (three nats-servers, three nodes, all on loopback);
  - replica lag under that load (orgledger_cluster_lag_positions, sampled every 100 ms);
  - failover: from the writer's SIGKILL to the first acknowledged command on the new writer;
  - catch-up of a node that starts from the seed store after that load: by reading the stream
    (every group kept), and by copying a peer's store (the stream keeps the last 100 groups).

Each figure is the median of --rounds runs. Everything shares the machine's cores (wrk, six
processes of the cluster, or one server): compare the two modes, not with other machines.

  cluster_bench.py --orgledger BIN [--seconds 10] [--rounds 3] [--out FILE]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'tests', 'support'))
from cluster_process import Cluster, free_port  # noqa: E402
from orgledger_process import create_token  # noqa: E402

LUA = os.path.join(here, 'http_commands.lua')


def wrk(base, token, seconds, run):
    out = subprocess.run(['wrk', '-t2', '-c64', f'-d{seconds}s', '--latency', '-s', LUA, base, '--', token, run],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
    non2xx = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
    p99 = re.search(r'99%\s+([\d.]+)(us|ms|s)', out)
    scale = {'us': 0.001, 'ms': 1, 's': 1000}[p99.group(2)]
    return rate, float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0


def single(binary, root, seconds, run):
    data = os.path.join(root, 'single')
    token = create_token(binary, data, 'bench', 'admin', 'svc:bench', '*')
    port = free_port()
    process = subprocess.Popen([binary, 'serve', '--data', data, '--listen', f'127.0.0.1:{port}', '--no-access-log',
                                '--max-connections-per-address', '1024'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f'http://127.0.0.1:{port}', token)
        return wrk(f'http://127.0.0.1:{port}', token, seconds, run)
    finally:
        process.terminate()
        process.wait()


def wait_ready(base, token, timeout=30):
    import http.client
    port = int(base.rsplit(':', 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
            c.request('GET', '/v1/users/nobody', headers={'Authorization': f'Bearer {token}'})
            if c.getresponse().status in (200, 404):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError('the server did not come up')


def clustered(binary, root, seconds, run):
    cluster = Cluster(binary, root)
    for node in cluster.nodes:
        node.extra = ['--max-connections-per-address', '1024']
    cluster.start()
    try:
        writer = cluster.writer(timeout=60)
        # Every replica joined before the load: one still joining (JetStream's first answers on
        # fresh buckets take seconds) would show its start-up as lag.
        cluster.wait_until_joined()
        replicas = [n for n in cluster.nodes if n is not writer]
        lags, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                for node in replicas:
                    value = node.metric('orgledger_cluster_lag_positions', cluster.token)
                    if value is not None:
                        lags.append(value)
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rate, p99, non2xx = wrk(writer.base, cluster.token, seconds, run)
        stop.set()
        sampler.join()
        failover = measure_failover(cluster, writer)
        return rate, p99, non2xx, lags, failover
    finally:
        cluster.stop()


def measure_failover(cluster, writer):
    """Seconds from the writer's SIGKILL to the first 200 of a command on another node."""
    others = [n for n in cluster.nodes if n is not writer]
    writer.kill()
    killed = time.monotonic()
    n = 0
    while time.monotonic() - killed < 60:
        for node in others:
            n += 1
            body = json.dumps({'type': 'RegisterUser', 'actor': 'svc:x', 'user': f'f{n}', 'login': f'f{n}@x.ch'})
            try:
                status, _, _ = node.request('POST', '/v1/commands', cluster.token, body, timeout=5)
            except OSError:
                continue
            if status == 200:
                return time.monotonic() - killed
        time.sleep(0.02)
    return float('nan')


def applied(node, token, position):
    """Whether `node` serves position `position` (at_least: a cheap read once it has applied it)."""
    try:
        status, _, _ = node.request('GET', f'/v1/events?from={position}&limit=1&at_least={position}', token, timeout=5)
    except OSError:
        return False
    return status == 200


def catch_up(binary, root, seconds, run, retention):
    """The load on a cluster of two nodes, then a third started on the seed store: (the writer's
    head, seconds until the third serves it, whether it copied a peer's store)."""
    extra = ['--max-connections-per-address', '1024'] + (['--cluster-retention', str(retention)] if retention else [])
    os.makedirs(root, exist_ok=True)
    cluster = Cluster(binary, root, extra=extra)
    late = cluster.nodes[2]
    try:
        for server in cluster.nats:
            server.start()
        for node in cluster.nodes[:2]:
            node.start()
        writer = cluster.writer(timeout=60, among=cluster.nodes[:2])
        cluster.wait_until_joined(among=cluster.nodes[:2])
        wrk(writer.base, cluster.token, seconds, run)
        status, _, body = writer.request('GET', '/v1/verify', cluster.token, timeout=120)
        head = json.loads(body)['head']['position']
        started = time.monotonic()
        late.start()
        while not applied(late, cluster.token, head):
            if time.monotonic() - started > 600:
                return head, float('nan'), False
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        with open(late.log.name) as log:
            copied = 'installed the copy of a peer' in log.read()
        return head, elapsed, copied
    finally:
        cluster.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--orgledger', required=True)
    parser.add_argument('--seconds', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--out', default=None)
    args = parser.parse_args()
    rows = []
    for r in range(args.rounds):
        root = tempfile.mkdtemp(prefix='orgledger-cluster-bench-')
        try:
            s_rate, s_p99, s_bad = single(args.orgledger, root, args.seconds, f's{r}')
            c_rate, c_p99, c_bad, lags, failover = clustered(args.orgledger, root, args.seconds, f'c{r}')
            stream_head, stream_s, _ = catch_up(args.orgledger, os.path.join(root, 'stream'), args.seconds, f'r{r}', 0)
            copy_head, copy_s, copied = catch_up(args.orgledger, os.path.join(root, 'copy'), args.seconds, f'k{r}', 100)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        row = {'single_per_s': s_rate, 'single_p99_ms': s_p99, 'cluster_per_s': c_rate, 'cluster_p99_ms': c_p99,
               'ratio': c_rate / s_rate, 'non2xx': s_bad + c_bad,
               'lag_median': statistics.median(lags) if lags else float('nan'),
               'lag_max': max(lags) if lags else float('nan'), 'failover_s': failover,
               'catch_up_stream_events': stream_head, 'catch_up_stream_s': stream_s,
               'catch_up_copy_events': copy_head, 'catch_up_copy_s': copy_s, 'copied': copied}
        rows.append(row)
        print(json.dumps(row), flush=True)
    summary = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
    print('median of', len(rows), 'rounds:', json.dumps(summary), flush=True)
    if args.out:
        with open(args.out, 'w') as out:
            json.dump({'rounds': rows, 'median': summary}, out, indent=1)


if __name__ == '__main__':
    main()
