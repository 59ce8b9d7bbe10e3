"""Three `nats-server`s in a JetStream cluster and `orgledger serve --cluster` nodes on loopback, for
the cluster tests (tests/cluster) and scripts/cluster-loopback's users (issue 18). Real processes;
every port is drawn free from the kernel."""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Process:
    """A child process the cluster starts: killed (SIGKILL) or stopped (SIGTERM, then SIGKILL)."""

    process = None
    stop_timeout = 10

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()


class NatsServer(Process):
    """One JetStream server of a three-server cluster, with its own store directory."""

    def __init__(self, root, name, port, cluster_port, peer_cluster_ports):
        self.name, self.port, self.cluster_port = name, port, cluster_port
        self.peers = peer_cluster_ports
        self.store = os.path.join(root, f'nats-{name}')
        self.log = open(os.path.join(root, f'nats-{name}.log'), 'a')

    @property
    def url(self):
        return f'nats://127.0.0.1:{self.port}'

    def start(self):
        routes = ','.join(f'nats://127.0.0.1:{p}' for p in self.peers)
        # A group carries whole commands (an identity document alone may reach 6 MiB, K2): the
        # servers take messages up to 64 MiB (their default is 1 MiB), as the stream does.
        config = os.path.join(os.path.dirname(self.store), f'nats-{self.name}.conf')
        with open(config, 'w') as out:
            out.write('max_payload: 67108864\n')
        self.process = subprocess.Popen(
            ['nats-server', '-c', config, '-a', '127.0.0.1', '-p', str(self.port), '-n', self.name, '-js', '-sd', self.store,
             '--cluster_name', 'orgledger', '--cluster', f'nats://127.0.0.1:{self.cluster_port}', '--routes', routes],
            stdout=self.log, stderr=subprocess.STDOUT)


class Node(Process):
    """`orgledger serve --cluster … --node NAME` on a port of its own."""

    stop_timeout = 20  # it finishes the requests in flight and writes a snapshot

    def __init__(self, binary, root, name, nats_urls, extra=()):
        self.binary, self.name = binary, name
        self.data = os.path.join(root, f'node-{name}')
        self.port = free_port()
        self.nats_urls = nats_urls
        self.extra = list(extra)
        self.log = open(os.path.join(root, f'node-{name}.log'), 'a')

    @property
    def base(self):
        return f'http://127.0.0.1:{self.port}'

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, 'serve', '--data', self.data, '--listen', f'127.0.0.1:{self.port}', '--no-access-log',
             '--cluster', ','.join(self.nats_urls), '--node', self.name, *self.extra],
            stdout=self.log, stderr=subprocess.STDOUT)

    def request(self, method, path, token, body=None, timeout=10):
        connection = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers={
                'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'})
            reply = connection.getresponse()
            return reply.status, dict(reply.getheaders()), reply.read()
        finally:
            connection.close()

    def metric(self, name, token):
        try:
            status, _, body = self.request('GET', '/metrics', token, timeout=2)
        except OSError:
            return None
        if status != 200:
            return None
        for line in body.decode().splitlines():
            if line.startswith(name + ' '):
                return float(line.split()[1])
        return None


class Cluster:
    """Three nats-servers and `nodes` orgledger nodes, every node's store seeded from one store
    (its log id and the test's token) and given one master key. No checkpoint key is seeded: the
    nodes settle one through the cluster (issue 18)."""

    def __init__(self, binary, root, nodes=3, token_scopes='admin', extra=()):
        self.binary, self.root = binary, root
        ports = [free_port() for _ in range(3)]
        cluster_ports = [free_port() for _ in range(3)]
        self.nats = [NatsServer(root, f'n{i + 1}', ports[i], cluster_ports[i],
                                [p for j, p in enumerate(cluster_ports) if j != i]) for i in range(3)]
        seed = os.path.join(root, 'seed')
        out = subprocess.run([binary, 'token', 'create', '--data', seed, '--name', 'test', '--scopes', token_scopes,
                              '--principal', 'svc:test', '--act-as', '*', '--json'],
                             check=True, capture_output=True, text=True, timeout=30).stdout
        self.token = json.loads(out)['token']
        # One master key for every node (G1): each adopts the data keys the writer wraps under it.
        master = os.path.join(seed, 'master.key')
        with open(os.open(master, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as out_file:
            out_file.write(secrets.token_hex(32) + '\n')
        urls = [n.url for n in self.nats]
        self.nodes = [Node(binary, root, f'o{i + 1}', urls, extra) for i in range(nodes)]
        for node in self.nodes:
            shutil.copytree(seed, node.data)

    def start(self):
        for server in self.nats:
            server.start()
        for node in self.nodes:
            node.start()

    def writer(self, timeout=30, among=None):
        """The node that says it holds the writer's lease (waits for one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for node in among or self.nodes:
                if node.process and node.process.poll() is None and node.metric('orgledger_cluster_writer', self.token) == 1:
                    return node
            time.sleep(0.1)
        raise RuntimeError('no writer elected')

    def wait_until_joined(self, timeout=60, among=None):
        """Until every node (of `among`, else all) has joined (made or found the stream and buckets,
        and said so in the node directory): while JetStream elects its leaders at start-up, a node's
        first calls may wait."""
        deadline = time.monotonic() + timeout
        names = sorted(node.name for node in among or self.nodes)
        while time.monotonic() < deadline:
            out = subprocess.run([self.binary, 'cluster', 'status', '--cluster', ','.join(s.url for s in self.nats), '--json'],
                                 capture_output=True, text=True, timeout=60)
            if out.returncode == 0 and set(names) <= {n['node'] for n in json.loads(out.stdout)['nodes']}:
                return
            time.sleep(0.5)
        raise RuntimeError('the nodes did not all join the cluster')

    def stop(self):
        for node in self.nodes:
            node.stop()
        for server in self.nats:
            server.stop()
