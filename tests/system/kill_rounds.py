#!/usr/bin/env python3
"""SIGKILL at scale (issue 17): rounds of a real `orgledger serve` under concurrent HTTP writers,
killed at a random moment while it appends, snapshots (--snapshot-every) and signs checkpoints.

Each round restarts the server on the same data directory and first checks the log against what
was acknowledged so far:
  - every acknowledged command is present, at the position its answer named;
  - no command appears twice: the commands whose outcome was unknown (in flight at the kill) are
    sent again with their command id, and must be answered, not applied a second time;
  - `orgledger verify` passes (hash chain and Merkle tree) while the server is down.
Prints one line per round and a summary; exits 1 on any loss or duplicate.

  kill_rounds.py --orgledger BIN [--rounds 5] [--writers 16] [--seed N] [--keep DIR]

ctest runs 5 rounds; bench/run_kill_rounds.sh runs 100 and reports them in bench/RESULTS.md.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from orgledger_process import Server, create_token  # noqa: E402  (the tests' shared module)


class Writer(threading.Thread):
    """One client on its own connection: RegisterUser commands, each with a command id of its own,
    until the server goes away. Records what was acknowledged and what was left unknown."""

    def __init__(self, port, token, prefix):
        super().__init__(daemon=True)
        self.port, self.token, self.prefix = port, token, prefix
        self.acked = {}      # command id -> position
        self.unknown = {}    # command id -> body: sent, no answer (in flight at the kill)
        self.refused = []    # answers other than 200: none are expected

    def run(self):
        connection = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        n = 0
        while True:
            command_id = f'{self.prefix}-{n}'
            body = json.dumps({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': command_id,
                               'login': f'{command_id}@example.ch', 'command_id': command_id})
            try:
                connection.request('POST', '/v1/commands', body=body, headers={
                    'Authorization': f'Bearer {self.token}', 'Content-Type': 'application/json'})
                reply = connection.getresponse()
                answer = json.loads(reply.read())
            except (OSError, http.client.HTTPException, ValueError):
                self.unknown[command_id] = body
                return
            if reply.status == 200:
                self.acked[command_id] = answer['position']
            else:
                self.refused.append((reply.status, answer))
                return
            n += 1


def logged_commands(port, token):
    """Every command id in the log with the positions of its events (GET /v1/events, page by page)."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
    found, position = {}, 1
    while True:
        connection.request('GET', f'/v1/events?from={position}&limit=10000',
                           headers={'Authorization': f'Bearer {token}'})
        page = json.loads(connection.getresponse().read())
        if not page['events']:
            return found
        for event in page['events']:
            found.setdefault(event['command_id'], []).append(event['position'])
        position = page['next']


def resend(port, token, bodies):
    """The commands whose outcome was unknown, once more: answered either way, applied at most once."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
    for body in bodies.values():
        connection.request('POST', '/v1/commands', body=body, headers={
            'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'})
        reply = connection.getresponse()
        answer = json.loads(reply.read())
        if reply.status != 200:
            raise RuntimeError(f'a resent command was refused: {reply.status} {answer}')


def verify(binary, data):
    result = subprocess.run([binary, 'verify', '--json', '--data', data], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    if result.returncode != 0 or not report['ok']:
        raise RuntimeError(f'verify failed: {result.stdout} {result.stderr}')
    return report['head']['position']


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--orgledger', required=True)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--writers', type=int, default=16)
    parser.add_argument('--seed', type=int, default=int(os.environ.get('ORGLEDGER_SEED', time.time_ns() % 1_000_000)))
    parser.add_argument('--keep', help='use this data directory and leave it (default: a temporary one)')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f'seed {args.seed} (ORGLEDGER_SEED={args.seed} replays the kill moments)', flush=True)

    data = args.keep or tempfile.mkdtemp(prefix='kill-rounds-')
    os.makedirs(data, exist_ok=True)
    token = create_token(args.orgledger, data, f'killer-{args.seed}', 'write,read,audit', 'svc:killer', 'svc:signup')
    acked, unknown = {}, {}
    started = time.monotonic()
    try:
        for round_number in range(1, args.rounds + 1):
            server = Server(args.orgledger, data, ['--snapshot-every', '500'])
            try:
                # What the rounds before left: everything acknowledged, nothing twice.
                resend(server.port, token, unknown)
                logged = logged_commands(server.port, token)
                lost = [c for c, position in acked.items() if logged.get(c) != [position]]
                twice = [c for c, positions in logged.items() if c.startswith('k') and len(positions) > 1]
                if lost or twice:
                    raise RuntimeError(f'round {round_number}: lost {lost[:5]} ({len(lost)}), twice {twice[:5]} ({len(twice)})')
                for command_id in unknown:
                    if command_id not in logged:
                        raise RuntimeError(f'the resent command {command_id} is not in the log')
                unknown = {}

                writers = [Writer(server.port, token, f'k{round_number}-{i}') for i in range(args.writers)]
                for writer in writers:
                    writer.start()
                time.sleep(rng.uniform(0.3, 2.0))
                server.process.send_signal(signal.SIGKILL)
                server.process.wait()
                for writer in writers:
                    writer.join(timeout=60)
            finally:
                server.stop()
            refused = [r for writer in writers for r in writer.refused]
            if refused:
                raise RuntimeError(f'round {round_number}: commands refused: {refused[:3]}')
            round_acked = sum(len(writer.acked) for writer in writers)
            for writer in writers:
                acked.update(writer.acked)
                unknown.update(writer.unknown)
            head = verify(args.orgledger, data)
            print(f'round {round_number}: {round_acked} acknowledged, {sum(len(w.unknown) for w in writers)} '
                  f'unknown at the kill, head {head}', flush=True)
        # The last round's kill, checked as the others were.
        server = Server(args.orgledger, data)
        try:
            resend(server.port, token, unknown)
            logged = logged_commands(server.port, token)
        finally:
            server.stop()
        lost = [c for c, position in acked.items() if logged.get(c) != [position]]
        twice = [c for c, positions in logged.items() if c.startswith('k') and len(positions) > 1]
        print(f'summary: {args.rounds} rounds, {args.writers} writers, {len(acked)} acknowledged, '
              f'{len(lost)} lost, {len(twice)} applied twice, {time.monotonic() - started:.0f} s', flush=True)
        if lost or twice or not acked:
            return 1
        return 0
    except RuntimeError as error:
        print(f'FAILED: {error}', flush=True)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
