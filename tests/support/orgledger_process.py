"""The real `orgledger` binary for the Python tests (tests/browser, tests/openapi): a server on an
ephemeral loopback port, and API tokens made with the command line."""

import json
import queue
import re
import subprocess
import threading
import time

WAIT = 20  # seconds for the server to start


class Server:
    """`orgledger serve` on an ephemeral loopback port, read from its banner."""

    def __init__(self, binary, data, extra=()):
        self.process = subprocess.Popen(
            [binary, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--no-access-log', *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = None
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        self.base = f'http://127.0.0.1:{self.port}'

    def _wait_until_ready(self):
        """The banner names the port; "orgledger ready" says commands are taken."""
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError('orgledger serve did not become ready')
            line = self.lines.get(timeout=left)
            if line is None:
                raise RuntimeError('orgledger serve exited')
            found = re.search(r'http://127\.0\.0\.1:(\d+)', line)
            if found and self.port is None:
                self.port = int(found.group(1))
            if line.startswith('orgledger ready'):
                return

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def create_token(binary, data, name, scopes, principal, act_as='*'):
    """A new token (`orgledger token create … --json`), its secret returned."""
    out = subprocess.run([binary, 'token', 'create', '--data', data, '--name', name, '--scopes', scopes,
                          '--principal', principal, '--act-as', act_as, '--json'],
                         check=True, capture_output=True, text=True, timeout=30).stdout
    return json.loads(out)['token']
