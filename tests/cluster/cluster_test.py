#!/usr/bin/env python3
"""The replicated ledger on real processes (issue 18): three nats-servers in a JetStream cluster and
three `orgledger serve --cluster` nodes on loopback, all started here.

  failover   16 clients write through any node (following 307 to the writer, retrying an unknown
             outcome with the same command id); the writer node is SIGKILLed, then a nats-server.
             Then: every acknowledged command is in every node's log exactly once, at the position
             its answer named; positions are gapless; every node has the same chain and Merkle root;
             and an independent checker finds the history linearizable (an acknowledged command
             precedes, in the log, every command invoked after its answer).
  partition  a writer whose only nats-server is killed acknowledges nothing more; another node
             takes over.
  at_least   a read on a replica with at_least=P sees the write that answered P.
  shared     a token created on the writer while the cluster runs works on every node; every node
             signs checkpoints as one log, with one key learnt from the cluster.
  personal_data  a login sealed on the writer opens on every replica; ForgetSubject is answered only
             once every live node destroyed the key (G2).

  catch_up   a replica behind the stream's retention copies a peer's store, installs it, follows on.

  cluster_test.py --orgledger BIN [--scenario failover|partition|at_least|shared|personal_data|catch_up|all]
                  [--seed N] [--keep DIR]
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
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from cluster_process import Cluster  # noqa: E402


def register(user, command_id=None):
    """The body of a RegisterUser of `user`, with `command_id` when given (a retry keeps it)."""
    command = {'type': 'RegisterUser', 'actor': 'svc:signup', 'user': user, 'login': f'{user}@example.ch'}
    if command_id:
        command['command_id'] = command_id
    return json.dumps(command)


def started(cluster):
    """Starts `cluster` and waits until one node is the writer and every node has joined: the writer
    and the replicas."""
    cluster.start()
    writer = cluster.writer(timeout=60)
    cluster.wait_until_joined()
    return writer, [n for n in cluster.nodes if n is not writer]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Client(threading.Thread):
    """One client: RegisterUser commands with ids of its own, each sent to a random node until it
    has a definite answer. Keeps the history: (command id, invoked, answered, position)."""

    def __init__(self, cluster, prefix, rng, stop):
        super().__init__(daemon=True)
        self.cluster, self.prefix, self.rng, self.stop_event = cluster, prefix, rng, stop
        self.history = []     # acknowledged: (command_id, invoked, answered, position)
        self.unknown = set()  # sent, never definitely answered
        self.errors = []

    def submit(self, command_id, body):
        """Until a definite answer: a 200 (its position), or None if the run ended first."""
        node = self.rng.choice(self.cluster.nodes)
        path = '/v1/commands'
        while not self.stop_event.is_set():
            try:
                status, headers, reply = node.request('POST', path, self.cluster.token, body, timeout=15)
            except OSError:
                node = self.rng.choice(self.cluster.nodes)
                time.sleep(0.05)
                continue
            if status == 307:
                target = urllib.parse.urlparse(headers['Location'])
                node = next((n for n in self.cluster.nodes if n.port == target.port), node)
                continue
            if status == 200:
                return json.loads(reply)['position']
            if status == 503:  # no writer yet, the store stopped, or the outcome is unknown: again, same id
                node = self.rng.choice(self.cluster.nodes)
                time.sleep(0.1)
                continue
            self.errors.append((status, reply[:300]))
            return None
        return None

    def run(self):
        n = 0
        while not self.stop_event.is_set():
            command_id = f'{self.prefix}-{n}'
            body = register(command_id, command_id)
            invoked = time.monotonic()
            position = self.submit(command_id, body)
            if position is None:
                self.unknown.add(command_id)
                return
            self.history.append((command_id, invoked, time.monotonic(), position))
            n += 1


def events_of(node, token, head):
    """Every event of a node's log up to `head` (waiting with at_least until it has applied it)."""
    events, position = [], 1
    while position <= head:
        status, _, body = node.request('GET', f'/v1/events?from={position}&limit=5000&at_least={head}', token, timeout=60)
        check(status == 200, f'{node.name}: GET /v1/events answered {status}: {body[:200]}')
        page = json.loads(body)['events']
        check(page, f'{node.name}: no events from {position}, below head {head}')
        events.extend(e for e in page if e['position'] <= head)
        position = page[-1]['position'] + 1
    return events


def root_of(node, token, size):
    status, _, body = node.request('GET', f'/v1/tree/inclusion?position=1&tree_size={size}', token, timeout=30)
    check(status == 200, f'{node.name}: inclusion proof answered {status}: {body[:200]}')
    return json.loads(body)['root_hash']


def linearizable(history):
    """The checker, independent of the server's code: a log of appends is linearizable when it holds
    every acknowledged append once, and an append acknowledged before another was invoked comes
    first in the log (Herlihy & Wing's real-time order, on a single log as the register)."""
    by_invocation = sorted(history, key=lambda op: op[1])
    by_answer = sorted(history, key=lambda op: op[2])
    done, highest = 0, 0
    for command_id, invoked, _, position in by_invocation:
        while done < len(by_answer) and by_answer[done][2] < invoked:
            highest = max(highest, by_answer[done][3])
            done += 1
        if position <= highest:
            return f'{command_id} at {position} was invoked after a command at {highest} was acknowledged'
    return None


def converged_head(cluster, nodes, timeout=60):
    """The writer's head once every given node has applied it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heads = []
        for node in nodes:
            try:  # a node that steps down restarts in place: refused for a moment
                status, _, body = node.request('GET', '/v1/verify', cluster.token, timeout=60)
            except OSError:
                status = None
            heads.append(json.loads(body)['head']['position'] if status == 200 else -1)
        if len(set(heads)) == 1 and heads[0] > 0:
            return heads[0]
        time.sleep(0.5)
    raise AssertionError(f'the nodes did not converge: heads {heads}')


def failover(binary, root, seed):
    rng = random.Random(seed)
    cluster = Cluster(binary, root)
    cluster.start()
    try:
        first = cluster.writer(timeout=60)
        stop = threading.Event()
        clients = [Client(cluster, f'c{i}', random.Random(rng.random()), stop) for i in range(16)]
        for client in clients:
            client.start()
        time.sleep(3)
        print(f'failover: SIGKILL the writer {first.name}', flush=True)
        killed_at = time.monotonic()
        first.kill()
        second = cluster.writer(timeout=60, among=[n for n in cluster.nodes if n is not first])
        print(f'failover: {second.name} is the writer {time.monotonic() - killed_at:.1f} s later', flush=True)
        time.sleep(3)
        print(f'failover: SIGKILL the nats-server {cluster.nats[0].name}', flush=True)
        cluster.nats[0].kill()
        time.sleep(4)
        first.start()  # comes back as a replica and catches up from the stream
        time.sleep(2)
        stop.set()
        for client in clients:
            client.join(timeout=60)
        history = [op for client in clients for op in client.history]
        errors = [e for client in clients for e in client.errors]
        check(not errors, f'unexpected answers: {errors[:5]}')
        check(len(history) > 50, f'only {len(history)} commands acknowledged')
        writer = cluster.writer(timeout=60)
        # Unknown outcomes resolved with their command ids, as a client would: each answered once.
        for client in clients:
            for command_id in client.unknown:
                body = register(command_id, command_id)
                status, _, reply = writer.request('POST', '/v1/commands', cluster.token, body, timeout=30)
                check(status == 200, f'resubmitted {command_id}: {status} {reply[:200]}')
        head = converged_head(cluster, cluster.nodes)
        logs = {node.name: events_of(node, cluster.token, head) for node in cluster.nodes}
        reference = logs[cluster.nodes[0].name]
        check([e['position'] for e in reference] == list(range(1, head + 1)), 'positions are not gapless')
        for name, events in logs.items():
            check([(e['position'], e['hash']) for e in events] == [(e['position'], e['hash']) for e in reference],
                  f'{name} has another chain')
        roots = {node.name: root_of(node, cluster.token, head) for node in cluster.nodes}
        check(len(set(roots.values())) == 1, f'Merkle roots differ: {roots}')
        where = {}
        for event in reference:
            where.setdefault(event['command_id'], []).append(event['position'])
        for command_id, _, _, position in history:
            check(where.get(command_id) == [position], f'{command_id}: answered {position}, in the log at {where.get(command_id)}')
        problem = linearizable(history)
        check(problem is None, f'not linearizable: {problem}')
        print(f'failover: {len(history)} acknowledged, head {head}, chains and roots identical on '
              f'{len(cluster.nodes)} nodes, history linearizable', flush=True)
    finally:
        cluster.stop()


def partition(binary, root, seed):
    cluster = Cluster(binary, root)
    # o1 reaches only its own nats-server; the others reach the other two.
    cluster.nodes[0].nats_urls = [cluster.nats[0].url]
    for node in cluster.nodes[1:]:
        node.nats_urls = [cluster.nats[1].url, cluster.nats[2].url]
    for server in cluster.nats:
        server.start()
    cluster.nodes[0].start()
    try:
        isolated = cluster.writer(timeout=60)
        check(isolated is cluster.nodes[0], 'the first node started is the writer')
        for node in cluster.nodes[1:]:
            node.start()
        body = lambda i: register(f'p{i}', f'p{i}')  # noqa: E731
        status, _, _ = isolated.request('POST', '/v1/commands', cluster.token, body(0))
        check(status == 200, 'the writer takes commands before the partition')
        print(f'partition: kill {cluster.nats[0].name}, the writer\'s only nats-server', flush=True)
        cluster.nats[0].kill()
        acknowledged = []
        for i in range(1, 6):
            try:
                status, _, reply = isolated.request('POST', '/v1/commands', cluster.token, body(i), timeout=15)
            except OSError:
                continue
            if status == 200:
                acknowledged.append((i, reply))
        check(not acknowledged, f'a partitioned writer acknowledged {acknowledged}')
        other = cluster.writer(timeout=60, among=cluster.nodes[1:])
        status, _, _ = other.request('POST', '/v1/commands', cluster.token, body(100))
        check(status == 200, 'the new writer takes commands')
        # The partition heals: the old writer, a replica now, catches up to the one log.
        cluster.nats[0].start()
        head = converged_head(cluster, cluster.nodes)
        chains = {node.name: [(e['position'], e['hash']) for e in events_of(node, cluster.token, head)]
                  for node in cluster.nodes}
        check(len({tuple(chain) for chain in chains.values()}) == 1, 'the healed node has another chain')
        print(f'partition: nothing acknowledged by the cut-off writer; {other.name} took over; '
              f'healed, all nodes at {head} with one chain', flush=True)
    finally:
        cluster.stop()


class EventsSubscriber(threading.Thread):
    """GET /v1/events/subscribe on one node (Server-Sent Events): the positions of the frames it
    receives, in order."""

    def __init__(self, node, token, start):
        super().__init__(daemon=True)
        self.node, self.token, self.start_at = node, token, start
        self.status, self.positions = None, []

    def run(self):
        connection = http.client.HTTPConnection('127.0.0.1', self.node.port, timeout=60)
        connection.request('GET', f'/v1/events/subscribe?from={self.start_at}', headers={'Authorization': f'Bearer {self.token}'})
        reply = connection.getresponse()
        self.status = reply.status
        while True:
            line = reply.readline()
            if not line:
                return
            if line.startswith(b'id: '):
                self.positions.append(int(line[4:]))

    def received(self, position, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and position not in self.positions:
            time.sleep(0.1)
        return position in self.positions


def at_least(binary, root, seed):
    cluster = Cluster(binary, root)
    try:
        writer, replicas = started(cluster)
        # Live events from a replica (SSE works from any node).
        subscriber = EventsSubscriber(replicas[1], cluster.token, 1)
        subscriber.start()
        for i in range(50):
            user = f'ryw{i}'
            body = register(user)
            status, _, reply = writer.request('POST', '/v1/commands', cluster.token, body)
            check(status == 200, f'write {i}: {status}')
            position = json.loads(reply)['position']
            # A client honours Retry-After (API.md: a node that has not applied P yet says so); a 200
            # must never show a state before P.
            deadline = time.monotonic() + 20
            while True:
                status, headers, reply = replicas[i % 2].request('GET', f'/v1/users/{user}?at_least={position}', cluster.token)
                if status != 503 or time.monotonic() > deadline:
                    break
                check('Retry-After' in headers, 'a 503 without Retry-After')
                time.sleep(float(headers['Retry-After']))
            check(status == 200, f'read {i} at_least={position}: {status} {reply[:200]}')
            check(json.loads(reply)['as_of_position'] >= position, 'read before its own write')
        check(subscriber.received(position), f'{replicas[1].name}: SSE delivered {subscriber.positions[-5:]}, not {position}'
              f' (status {subscriber.status})')
        check(subscriber.positions == list(range(1, position + 1)), 'SSE on a replica: not every position once, in order')
        status, _, _ = replicas[0].request('GET', '/v1/users/ryw0?at_least=0', cluster.token)
        check(status == 400, 'at_least=0 is invalid_argument')
        status, headers, _ = replicas[0].request('GET', '/v1/users/ryw0?at_least=999999999', cluster.token)
        check(status == 503 and 'Retry-After' in headers, 'a position never reached: 503 with Retry-After')
        # `orgledger cluster status`: the writer, the log's last group, every node in step.
        deadline = time.monotonic() + 10
        while True:
            out = subprocess.run([binary, 'cluster', 'status', '--cluster', ','.join(n.url for n in cluster.nats), '--json'],
                                 capture_output=True, text=True, timeout=30)
            check(out.returncode == 0, f'cluster status: {out.stderr}')
            status = json.loads(out.stdout)
            in_step = sorted(n['node'] for n in status['nodes'] if n['lag'] == 0 and n['position'] == status['last_position'])
            if in_step == sorted(n.name for n in cluster.nodes) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        check(status['writer'] == writer.name, f'cluster status names {status["writer"]} as the writer')
        check(status['last_position'] == position, f'cluster status: last position {status["last_position"]}, not {position}')
        check(in_step == sorted(n.name for n in cluster.nodes), f'cluster status: in step {in_step}')
        roles = {n['node']: n['role'] for n in status['nodes']}
        check(roles[writer.name] == 'writer' and all(roles[r.name] == 'replica' for r in replicas), f'roles {roles}')
        print('at_least: 50 writes read back on replicas at once, and streamed live by a replica (SSE); cluster status '
              'shows the writer and every node in step',
              flush=True)
    finally:
        cluster.stop()


def shared(binary, root, seed):
    """What the nodes share beside the log. A token created on the writer while the cluster runs
    works on every node at once (its record travels through the cluster's key-value bucket), and
    one made on a replica is refused. Every node signs as the same log (one_signer)."""
    cluster = Cluster(binary, root)
    try:
        writer, (replica, _) = started(cluster)
        made = subprocess.run([binary, 'token', 'create', '--data', writer.data, '--name', 'late', '--scopes', 'read',
                               '--json'], capture_output=True, text=True, timeout=30)
        check(made.returncode == 0, f'token create on the writer: {made.stderr}')
        late = json.loads(made.stdout)['token']
        deadline = time.monotonic() + 10
        seen = set()
        while time.monotonic() < deadline and len(seen) < len(cluster.nodes):
            for node in cluster.nodes:
                status, _, _ = node.request('GET', '/v1/users/nobody', late)
                if status != 401:
                    seen.add(node.name)
            time.sleep(0.1)
        check(len(seen) == len(cluster.nodes), f'the new token works on {sorted(seen)} only')
        refused = subprocess.run([binary, 'token', 'create', '--data', replica.data, '--name', 'on-replica',
                                  '--scopes', 'read', '--json'], capture_output=True, text=True, timeout=30)
        check(refused.returncode != 0, 'a token made on a replica')
        print('tokens: a token made on the writer works on every node; a replica makes none', flush=True)
        one_signer(cluster, binary, writer, replica)
    finally:
        cluster.stop()


def latest_checkpoint(node, token, size, timeout=20):
    """`node`'s latest signed checkpoint note, once it covers `size` events."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, reply = node.request('GET', '/v1/tree/checkpoint', token)
        if status == 200 and int(reply.decode().split('\n')[1]) >= size:
            return reply.decode()
        check(time.monotonic() < deadline, f'{node.name}: no checkpoint of size {size}: {status} {reply[:200]}')
        time.sleep(0.2)


def one_signer(cluster, binary, writer, replica):
    """Every node signs as the same log (issue 18): one origin and one public key on all of them,
    although no node was seeded with a checkpoint key (each learns it from the cluster's bucket,
    wrapped by the master key); a checkpoint one node signed verifies against another node's store
    with that key; a node whose key file holds another key is refused at start."""
    identities = {}
    for node in cluster.nodes:
        status, _, reply = node.request('GET', '/v1/tree/public-key', cluster.token)
        check(status == 200, f'{node.name}: public key: {status} {reply[:200]}')
        identities[node.name] = json.loads(reply)['verifier_key']
    check(len(set(identities.values())) == 1, f'the nodes sign as {identities}')
    verifier = identities[writer.name]

    status, _, reply = writer.request('POST', '/v1/commands', cluster.token, register('signed1'))
    check(status == 200, f'RegisterUser: {status} {reply[:200]}')
    size = json.loads(reply)['position']
    notes = {node.name: latest_checkpoint(node, cluster.token, size) for node in cluster.nodes}

    key_file = os.path.join(replica.data, 'checkpoint.key')
    replica.stop()
    os.rename(key_file, key_file + '.cluster')
    subprocess.run(['openssl', 'genpkey', '-algorithm', 'ed25519', '-out', key_file], check=True, capture_output=True)
    replica.start()
    try:
        code = replica.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        code = None
    check(code not in (None, 0), f'a node with another checkpoint key started (exit {code})')
    with open(os.path.join(os.path.dirname(replica.data), f'node-{replica.name}.log')) as log:
        check('is not the cluster' in log.read(), 'the refusal does not say why')
    os.replace(key_file + '.cluster', key_file)

    for node in cluster.nodes:
        node.stop()
    for signer, note in notes.items():
        path = os.path.join(os.path.dirname(replica.data), f'checkpoint-{signer}.txt')
        with open(path, 'w') as out:
            out.write(note)
        for node in cluster.nodes:
            out = subprocess.run([binary, 'verify', '--data', node.data, '--checkpoint', path, '--public-key', verifier,
                                  '--json'], capture_output=True, text=True, timeout=60)
            check(out.returncode == 0, f'the checkpoint {signer} signed, on {node.name}: {out.stdout} {out.stderr}')
    print('signing: one origin and one key on every node, learnt from the cluster; each node\'s checkpoint '
          'verifies on every store; a node with another key is refused', flush=True)


def personal_data(binary, root, seed):
    """G1-G3 on every node: a login sealed on the writer opens on each replica (the data key travels,
    wrapped, through the cluster's key bucket before it seals anything), and after ForgetSubject,
    answered once the key is purged from the bucket and every live node has destroyed its copy,
    every node shows it forgotten (G2)."""
    cluster = Cluster(binary, root)
    try:
        writer, replicas = started(cluster)

        def login_everywhere(position):
            """Each node's login of pd1 at `position`, read once the node has applied it. Right at
            once: a replica that applied a group before its watcher was given the group's key (the
            key bucket and the log are two streams) asks the bucket for it."""
            logins = {}
            for node in cluster.nodes:
                deadline = time.monotonic() + 20
                while True:
                    try:
                        status, headers, reply = node.request('GET', f'/v1/users/pd1?at_least={position}', cluster.token)
                    except ConnectionRefusedError:  # a node restarting: not listening yet
                        status, headers, reply = 503, {}, ''
                    if status == 503 and time.monotonic() < deadline:
                        time.sleep(float(headers.get('Retry-After', '1')))
                        continue
                    break
                check(status == 200, f'{node.name}: {status} {reply[:200]}')
                logins[node.name] = json.loads(reply)['login']
            return logins

        status, _, reply = writer.request('POST', '/v1/commands', cluster.token, register('pd1'))
        check(status == 200, f'RegisterUser: {status} {reply[:200]}')
        logins = login_everywhere(json.loads(reply)['position'])
        check(all(login == 'pd1@example.ch' for login in logins.values()), f'the login on each node: {logins}')

        # G2 on every live node before the answer: with one replica frozen (SIGSTOP, still counted
        # live: it spoke a moment ago), ForgetSubject waits; once it runs again and destroys its
        # copy of the key, the answer comes.
        forget = json.dumps({'type': 'ForgetSubject', 'actor': 'svc:privacy', 'subject': 'user:pd1'})
        frozen = replicas[1]
        frozen.process.send_signal(signal.SIGSTOP)
        answered = {}

        def submit_forget():
            answered['reply'] = writer.request('POST', '/v1/commands', cluster.token, forget, timeout=60)
            answered['at'] = time.monotonic()

        submitter = threading.Thread(target=submit_forget)
        submitter.start()
        submitter.join(timeout=2.5)
        frozen_for = 'reply' not in answered
        thawed_at = time.monotonic()
        frozen.process.send_signal(signal.SIGCONT)
        submitter.join(timeout=60)
        check(frozen_for, f'ForgetSubject answered while a live replica had not destroyed its key: {answered}')
        status, _, reply = answered['reply']
        check(status == 200, f'ForgetSubject: {status} {reply[:300]}')
        check(answered['at'] - thawed_at < 8, f'answered {answered["at"] - thawed_at:.1f} s after the replica ran again')
        logins = login_everywhere(json.loads(reply)['position'])
        check(all(login == 'forgotten' for login in logins.values()), f'after G2, the login on each node: {logins}')
        # A replica restarted from its store is given the cluster's keys again, but not the forgotten one.
        replicas[0].stop()
        replicas[0].start()
        cluster.wait_until_joined()
        logins = login_everywhere(json.loads(reply)['position'])
        check(logins[replicas[0].name] == 'forgotten', f'after a restart: {logins}')
        print('personal data: a login sealed on the writer opens on every node; ForgetSubject waits for a frozen '
              'replica; forgotten on every node after G2', flush=True)
    finally:
        cluster.stop()


def catch_up(binary, root, seed):
    """Past the stream's retention (20 groups): a replica stopped while 80 groups are written finds
    that the stream no longer holds what its store lacks. It copies a peer's whole store (a RocksDB
    checkpoint, over NATS; a replica's, not the writer's), restarts in place to install it, follows
    the tail written meanwhile, and ends with the writer's log: the same events, chain and Merkle
    root; its store verifies on its own."""
    cluster = Cluster(binary, root, extra=['--cluster-retention', '20'])
    late = None
    try:
        writer, replicas = started(cluster)
        late = replicas[0]

        def write(user):
            status, _, reply = writer.request('POST', '/v1/commands', cluster.token, register(user))
            check(status == 200, f'RegisterUser {user}: {status} {reply[:200]}')

        for i in range(5):
            write(f'early{i}')
        converged_head(cluster, cluster.nodes)
        late.stop()
        for i in range(80):
            write(f'meanwhile{i}')
        # Writes go on while it catches up: it copies, installs, and then follows what came since.
        during = threading.Thread(target=lambda: [write(f'during{i}') for i in range(30)])
        late.start()
        during.start()
        during.join()
        head = converged_head(cluster, cluster.nodes, timeout=120)
        with open(late.log.name) as log:
            said = log.read()
        check('but the stream keeps it from' in said and 'installed the copy of a peer' in said,
              f'{late.name} did not say it copied a peer\'s store: {said[-2000:]}')
        source = replicas[1].name
        # A replica is asked before the writer (a copy flushes the peer's memtables); the writer
        # serves only when the replica could not.
        check(f'copied node {source}\'s store' in said or f'could not copy node {source}\'s store' in said,
              f'{late.name} did not ask the other replica {source} first')
        check(events_of(late, cluster.token, head) == events_of(writer, cluster.token, head),
              f'{late.name}: not the writer\'s events')
        check(root_of(late, cluster.token, head) == root_of(writer, cluster.token, head), f'{late.name}: another Merkle root')
        check(not os.path.exists(os.path.join(late.data, 'incoming-copy')), 'the received copy was left behind')
        # It follows on from the copy.
        for i in range(5):
            write(f'after{i}')
        after = converged_head(cluster, cluster.nodes)
        check(after >= head + 5, f'after 5 more commands: {after} (head was {head})')
        status, _, reply = late.request('GET', '/v1/users/after4', cluster.token)
        check(status == 200, f'{late.name}: GET /v1/users/after4 answered {status} {reply[:200]}')
    finally:
        cluster.stop()
    out = subprocess.run([binary, 'verify', '--data', late.data, '--json'], capture_output=True, text=True, timeout=120)
    check(out.returncode == 0, f'verify of {late.name}\'s installed copy: {out.stdout} {out.stderr}')
    print(f'catch_up: behind the stream\'s 20 groups, {late.name} copied a peer\'s store, installed it at a '
          f'restart and followed on: the writer\'s log at {head}, then {after}; it verifies', flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--orgledger', required=True)
    parser.add_argument('--scenario', default='all', choices=['failover', 'partition', 'at_least', 'shared', 'personal_data', 'catch_up', 'all'])
    parser.add_argument('--seed', type=int, default=None)
    parser.add_argument('--keep', default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f'seed {seed}', flush=True)
    scenarios = {'at_least': at_least, 'shared': shared, 'personal_data': personal_data, 'partition': partition,
                 'failover': failover, 'catch_up': catch_up}
    chosen = list(scenarios) if args.scenario == 'all' else [args.scenario]
    for name in chosen:
        root = args.keep and os.path.join(args.keep, name) or tempfile.mkdtemp(prefix=f'orgledger-cluster-{name}-')
        os.makedirs(root, exist_ok=True)
        try:
            scenarios[name](args.orgledger, root, seed)
        except BaseException:
            print(f'{name}: failed; logs in {root}', flush=True)
            raise
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()
