#!/usr/bin/env python3
"""What the server accepts and answers validates against api/openapi.json (issue 16).

Starts `orgledger serve` on a fresh data directory and submits commands over HTTP: the story of
tests/fixtures/remote_cli_story.jsonl, then one of its own that goes through every command type
the document describes, with their optional fields given, absent and null. Each command the
server accepts (200) must validate against the request schema of POST /v1/commands, and each
answer against the schema the document gives for its status — refusals, duplicates and the
problems of malformed input included. Then every route is asked (with and without as_of, the
redacted and the clear views of personal data, pages, proofs, an SSE catch-up) and each answer is
validated the same way; every route must have answered 200 at least once.

The validator is an independent one, Debian's python3-jsonschema. The document is OpenAPI 3.0,
whose schemas are turned into JSON Schema 2020-12 here: `$ref`s inlined, `nullable` as a "null"
type, and every object schema that does not say otherwise closed (unevaluatedProperties: false),
so that a field the server sends and the document does not describe fails the test. Formats
date-time, int64 and byte are checked too.
"""
import argparse
import base64
import copy
import datetime
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from orgledger_process import Server, create_token  # noqa: E402  (the tests' shared module)




class Failure(Exception):
    pass


# --- The document as JSON Schema ------------------------------------------------------------------

class Document:
    def __init__(self, path):
        with open(path) as file:
            self.raw = json.load(file)
        self.formats = self._format_checker()
        self._validators = {}

    def resolve(self, node):
        """A "$ref" to a component (responses, schemas, parameters), followed until none is left."""
        while isinstance(node, dict) and '$ref' in node:
            parts = node['$ref'].removeprefix('#/').split('/')
            node = self.raw
            for part in parts:
                node = node[part]
        return node

    def schema(self, openapi_schema):
        """An OpenAPI 3.0 schema as a closed JSON Schema 2020-12 one (see the module's text)."""
        converted = self._convert(openapi_schema, closable=True)
        converted['$schema'] = 'https://json-schema.org/draft/2020-12/schema'
        return converted

    def _convert(self, node, closable):
        node = self.resolve(node)
        out = {}
        for key, value in node.items():
            if key in ('discriminator', 'example', 'examples', 'externalDocs', 'xml', 'nullable', 'description') \
                    or key.startswith('x-'):
                continue
            if key == 'properties':
                out[key] = {name: self._convert(sub, True) for name, sub in value.items()}
            elif key == 'allOf':
                # Closed by the schema that holds them (unevaluatedProperties sees their properties).
                out[key] = [self._convert(sub, False) for sub in value]
            elif key in ('oneOf', 'anyOf'):
                out[key] = [self._convert(sub, True) for sub in value]
            elif key in ('items', 'not') or (key == 'additionalProperties' and isinstance(value, dict)):
                out[key] = self._convert(value, True)
            else:
                out[key] = copy.deepcopy(value)
        if node.get('nullable'):
            if 'type' not in out:
                raise Failure(f'nullable without a type (OpenAPI 3.0.3 ignores it): {node}')
            out['type'] = [out['type'], 'null']
            if 'enum' in out and None not in out['enum']:
                out['enum'] = out['enum'] + [None]
        if closable and 'additionalProperties' not in out and ('properties' in out or 'allOf' in out):
            out['unevaluatedProperties'] = False
        return out

    @staticmethod
    def _format_checker():
        checker = jsonschema.FormatChecker(formats=())
        rfc3339 = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$')

        @checker.checks('date-time')
        def date_time(value):
            if not isinstance(value, str):
                return True
            found = rfc3339.match(value)
            if not found:
                return False
            year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
            datetime.datetime(year, month, day, hour, minute, second)  # raises ValueError when not a date
            return True

        @checker.checks('int64')
        def int64(value):
            return not isinstance(value, int) or -2**63 <= value < 2**63

        @checker.checks('int32')
        def int32(value):
            return not isinstance(value, int) or -2**31 <= value < 2**31

        @checker.checks('byte', raises=ValueError)
        def byte(value):
            if isinstance(value, str):
                base64.b64decode(value, validate=True)
            return True

        return checker

    def validator(self, key, openapi_schema):
        if key not in self._validators:
            schema = self.schema(openapi_schema)
            jsonschema.Draft202012Validator.check_schema(schema)
            self._validators[key] = jsonschema.Draft202012Validator(schema, format_checker=self.formats)
        return self._validators[key]

    def check(self, key, openapi_schema, instance, what):
        # The deepest errors first: they say what is wrong, those above only that something is.
        errors = sorted(self.validator(key, openapi_schema).iter_errors(instance), key=lambda e: -len(e.path))
        if errors:
            lines = [f'  at /{"/".join(str(p) for p in error.path)}: {error.message[:300]}' for error in errors[:5]]
            raise Failure(f'{what} does not validate against the document:\n' + '\n'.join(lines) +
                          f'\n  the instance: {json.dumps(instance)[:1500]}')

    def operation(self, method, path):
        return self.raw['paths'][path][method.lower()]

    def request_schema(self):
        return self.operation('POST', '/v1/commands')['requestBody']['content']['application/json']['schema']

    def response(self, method, path, status):
        """The documented response of an operation for a status: its media types and schemas."""
        responses = self.operation(method, path)['responses']
        if str(status) not in responses:
            raise Failure(f'{method} {path} answered {status}, which the document does not list')
        return self.resolve(responses[str(status)])


# --- The server -----------------------------------------------------------------------------------

def instant(delta):
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


# --- The checks -----------------------------------------------------------------------------------

class Conformance:
    def __init__(self, document, port, tokens):
        self.document = document
        self.port = port
        self.tokens = tokens
        self.accepted = []          # (type, command) the server accepted
        self.answered = set()       # (method, path, status) seen
        self.checked_answers = 0

    def exchange(self, method, path, query=None, body=None, token='admin', raw_body=None):
        """One request: (status, content type, body text)."""
        target = path + ('?' + urllib.parse.urlencode(query) if query else '')
        connection = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        headers = {}
        if token is not None:
            headers['Authorization'] = f'Bearer {self.tokens[token]}'
        payload = raw_body if raw_body is not None else (None if body is None else json.dumps(body).encode())
        if payload is not None:
            headers['Content-Type'] = 'application/json'
        try:
            connection.request(method, target, body=payload, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheader('Content-Type', ''), answer.read().decode()
        finally:
            connection.close()

    def check_answer(self, method, pattern, status, content_type, text):
        """The answer validates against the documented response for its status."""
        what = f'{method} {pattern} {status}'
        response = self.document.response(method, pattern, status)
        media = content_type.split(';')[0].strip()
        content = response.get('content', {})
        if media not in content:
            raise Failure(f'{what}: answered {media}, the document says {sorted(content)}')
        self.answered.add((method, pattern, status))
        self.checked_answers += 1
        if 'json' not in media:
            return text
        body = json.loads(text)
        self.document.check(('response', method, pattern, status, media), content[media]['schema'], body,
                            f'the answer to {what}')
        return body

    def get(self, pattern, params=None, query=None, token='admin', expect=200):
        path = pattern
        for name, value in (params or {}).items():
            path = path.replace('{' + name + '}', urllib.parse.quote(value, safe=''))
        status, content_type, text = self.exchange('GET', path, query=query, token=token)
        if expect is not None and status != expect:
            raise Failure(f'GET {path}?{query}: {status} {text[:500]}, expected {expect}')
        return self.check_answer('GET', pattern, status, content_type, text)

    def submit(self, command, token='admin', expect=200):
        """Submits one command; an accepted one must validate against the request schema."""
        status, content_type, text = self.exchange('POST', '/v1/commands', body=command, token=token)
        if expect is not None and status != expect:
            raise Failure(f'{command.get("type")}: {status} {text[:500]}, expected {expect}\n  {json.dumps(command)}')
        if status == 200:
            # Its type's own schema first (the discriminator's choice, for a precise message), then
            # the request body's schema (the oneOf: exactly one type's schema must match).
            mapping = self.document.resolve(self.document.request_schema())['discriminator']['mapping']
            if command['type'] not in mapping:
                raise Failure(f'the server accepts {command["type"]}, which the document does not describe')
            what = f'the accepted command {json.dumps(command)[:200]}'
            self.document.check(('request', command['type']), {'$ref': mapping[command['type']]}, command, what)
            self.document.check(('request',), self.document.request_schema(), command, what)
            self.accepted.append((command['type'], command))
        return self.check_answer('POST', '/v1/commands', status, content_type, text)

    def submit_raw(self, raw, expect):
        status, content_type, text = self.exchange('POST', '/v1/commands', raw_body=raw)
        if status != expect:
            raise Failure(f'{raw[:100]!r}: {status} {text[:300]}, expected {expect}')
        return self.check_answer('POST', '/v1/commands', status, content_type, text)


def fixture_story(check, fixtures):
    with open(os.path.join(fixtures, 'remote_cli_story.jsonl')) as file:
        for line in file:
            if line.strip():
                check.submit(json.loads(line))


def own_story(check):
    """Every command type, each accepted; ids apart from the fixture's."""
    s = check.submit
    future = lambda days: instant(datetime.timedelta(days=days))
    for user in ['ana', 'ben', 'cleo', 'dora', 'emil', 'fay', 'gus']:
        s({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': user, 'login': f'{user}@example.ch'})
    s({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': 'hal', 'login': 'hal@example.ch',
       'command_id': 'register-hal', 'correlation_id': 'signup-42'})
    created = s({'type': 'CreateOrganization', 'actor': 'ana', 'org': 'globex', 'name': 'Globex SA',
                 'command_id': None, 'correlation_id': None, 'expected_version': None})
    s({'type': 'UpdateOrganizationDetails', 'actor': 'ana', 'org': 'globex', 'name': 'Globex AG',
       'expected_version': created['stream_version'], 'command_id': ''})
    s({'type': 'CreateOrganization', 'actor': 'fay', 'org': 'resellers', 'name': 'Resellers GmbH'})
    s({'type': 'CreateOrganization', 'actor': 'gus', 'org': 'affiliates', 'name': 'Affiliates Sàrl'})
    s({'type': 'RegisterProduct', 'actor': 'ana', 'org': 'globex', 'product': 'g-mail', 'kind': 'mail_service',
       'name': 'Mail', 'expires_at': future(60)})
    s({'type': 'RegisterProduct', 'actor': 'svc:billing', 'org': 'globex', 'product': 'g-drive', 'kind': 'kdrive'})
    s({'type': 'RegisterProduct', 'actor': 'ana', 'org': 'globex', 'product': 'g-chat', 'kind': 'kchat',
       'name': None, 'expires_at': None})
    s({'type': 'AddMember', 'actor': 'ana', 'org': 'globex', 'user': 'ben', 'role': 'administrator'})
    s({'type': 'AddMember', 'actor': 'ana', 'org': 'globex', 'user': 'cleo', 'role': 'collaborator',
       'products': ['g-mail'], 'billing': True, 'contact_prefs': ['technical', 'marketing']})
    s({'type': 'AddMember', 'actor': 'ben', 'org': 'globex', 'user': 'dora', 'role': 'external',
       'products': None, 'billing': None, 'contact_prefs': None})
    s({'type': 'AddMember', 'actor': 'ben', 'org': 'globex', 'user': 'emil', 'role': 'collaborator', 'products': []})
    s({'type': 'ChangeMemberRole', 'actor': 'ana', 'org': 'globex', 'user': 'dora', 'role': 'collaborator'})
    s({'type': 'SetBillingRights', 'actor': 'ana', 'org': 'globex', 'user': 'cleo', 'billing': False})
    s({'type': 'SetContactPreferences', 'actor': 'cleo', 'org': 'globex', 'user': 'cleo',
       'contact_prefs': ['billing', 'legal']})
    s({'type': 'SetContactPreferences', 'actor': 'ben', 'org': 'globex', 'user': 'dora', 'contact_prefs': []})
    s({'type': 'GrantProductAccess', 'actor': 'ben', 'org': 'globex', 'user': 'dora', 'product': 'g-drive'})
    s({'type': 'RevokeProductAccess', 'actor': 'ben', 'org': 'globex', 'user': 'dora', 'product': 'g-drive'})
    s({'type': 'CreateTeam', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'name': 'Operations'})
    s({'type': 'AddTeamMembers', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'users': ['cleo', 'dora', 'hal']})
    s({'type': 'SetTeamLeader', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'user': 'cleo'})
    s({'type': 'GrantTeamProductAccess', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'product': 'g-drive'})
    s({'type': 'GrantTeamProductAccess', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'product': 'g-chat'})
    s({'type': 'RevokeTeamProductAccess', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'product': 'g-chat'})
    s({'type': 'RemoveTeamMembers', 'actor': 'ben', 'org': 'globex', 'team': 'ops', 'users': ['hal']})
    s({'type': 'CreateTeam', 'actor': 'ana', 'org': 'globex', 'team': 'tmp', 'name': 'Temporary'})
    s({'type': 'DeleteTeam', 'actor': 'ana', 'org': 'globex', 'team': 'tmp'})
    s({'type': 'GrantSupportAccess', 'actor': 'ana', 'org': 'globex', 'grant': 'gs1', 'scope': 'mail',
       'resource': 'g-mail/inbox-42', 'ticket': 'TK-1'})
    s({'type': 'GrantSupportAccess', 'actor': 'ana', 'org': 'globex', 'grant': 'gs2', 'scope': 'kdrive',
       'resource': None, 'ticket': 'TK-2'})
    s({'type': 'AssignSupportTicket', 'actor': 'svc:support', 'ticket': 'TK-1', 'agent': 'agent:yves'})
    s({'type': 'RecordSupportAccess', 'actor': 'agent:yves', 'org': 'globex', 'grant': 'gs1',
       'resource': 'g-mail/inbox-42'})
    s({'type': 'RevokeSupportAccess', 'actor': 'ana', 'org': 'globex', 'grant': 'gs2'})
    # Abuse reports through every stage (A2, A3).
    s({'type': 'FileAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'ar1', 'received_at': instant(-datetime.timedelta(hours=30)),
       'category': 'phishing', 'reporter': {'name': 'Ida', 'email': 'ida@example.org', 'phone': '+41 22 000 00 00'},
       'target': 'g-mail'})
    s({'type': 'FileAbuseReport', 'actor': 'agent:yves', 'report': 'ar2', 'received_at': '2026-11-20T17:00:00+01:00',
       'category': 'spam', 'reporter': 'anonymous', 'target': None})
    s({'type': 'FileAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'ar3', 'received_at': instant(-datetime.timedelta(hours=1)),
       'category': 'malware', 'reporter': {'email': 'sec@example.net'}})
    s({'type': 'AcknowledgeAbuseReport', 'actor': 'agent:yves', 'report': 'ar1'})
    s({'type': 'AssessAbuseReport', 'actor': 'agent:yves', 'report': 'ar1', 'admissible': True, 'priority': 'high',
       'investigation_required': True})
    s({'type': 'CompleteAbuseInvestigation', 'actor': 'agent:yves', 'report': 'ar1', 'findings': 'A phishing kit.'})
    s({'type': 'CompleteCorrectiveActions', 'actor': 'svc:abuse-desk', 'report': 'ar1', 'actions': 'Site suspended.'})
    s({'type': 'AcknowledgeAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'ar2'})
    s({'type': 'AssessAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'ar2', 'admissible': True, 'priority': 'low',
       'investigation_required': False})
    s({'type': 'CloseAbuseReport', 'actor': 'svc:abuse-desk', 'report': 'ar2', 'reason': 'Nothing to correct.'})
    # Identity verifications and orders (K1–K5).
    s({'type': 'OpenIdentityVerification', 'actor': 'agent:yves', 'case': 'kc1', 'user': 'cleo', 'reason': 'disable_2fa'})
    s({'type': 'SubmitIdentityDocuments', 'actor': 'cleo', 'case': 'kc1', 'documents': [
        {'kind': 'id_card', 'content': base64.b64encode(b'front and back').decode()},
        {'kind': 'selfie', 'content': base64.b64encode(b'\x89PNG...').decode()}]})
    s({'type': 'CompleteIdentityVerification', 'actor': 'agent:yves', 'case': 'kc1', 'outcome': 'verified'})
    s({'type': 'OpenIdentityVerification', 'actor': 'svc:kcheck', 'case': 'kc2', 'user': 'dora', 'reason': 'first_payout'})
    s({'type': 'SubmitIdentityDocuments', 'actor': 'svc:kcheck', 'case': 'kc2', 'documents': [
        {'kind': 'passport', 'content': base64.b64encode(b'passport').decode()}]})
    s({'type': 'OpenIdentityVerification', 'actor': 'svc:kcheck', 'case': 'kc3', 'user': 'emil', 'reason': 'order_review'})
    s({'type': 'SubmitIdentityDocuments', 'actor': 'svc:kcheck', 'case': 'kc3', 'documents': [
        {'kind': 'passport', 'content': base64.b64encode(b'another passport').decode()}]})
    s({'type': 'CompleteIdentityVerification', 'actor': 'svc:kcheck', 'case': 'kc3', 'outcome': 'rejected'})
    s({'type': 'BlockOrder', 'actor': 'svc:billing', 'order': 'or1', 'org': 'globex', 'reason': 'fraud_suspected'})
    s({'type': 'UnblockOrder', 'actor': 'agent:yves', 'order': 'or1'})
    s({'type': 'BlockOrder', 'actor': 'svc:billing', 'order': 'or2', 'org': 'globex', 'reason': 'Payment disputed.'})
    # Personal data forgotten (G2).
    s({'type': 'ForgetSubject', 'actor': 'svc:privacy', 'subject': 'abuse:ar3'})
    s({'type': 'ForgetSubject', 'actor': 'svc:privacy', 'subject': 'kcheck:kc2'})
    s({'type': 'ForgetSubject', 'actor': 'svc:privacy', 'subject': 'user:gus'})
    # Partners and affiliates (C1–C4).
    s({'type': 'JoinPartnerProgram', 'actor': 'svc:partners', 'org': 'resellers'})
    s({'type': 'EstablishPartnerRelation', 'actor': 'ana', 'partner_org': 'resellers', 'client_org': 'globex',
       'scope': ['g-mail', 'g-drive'], 'billing': True})
    s({'type': 'AssignPartnerManager', 'actor': 'fay', 'partner_org': 'resellers', 'client_org': 'globex', 'user': 'fay'})
    s({'type': 'UnassignPartnerManager', 'actor': 'fay', 'partner_org': 'resellers', 'client_org': 'globex', 'user': 'fay'})
    s({'type': 'AssignPartnerManager', 'actor': 'fay', 'partner_org': 'resellers', 'client_org': 'globex', 'user': 'fay'})
    s({'type': 'EndPartnerRelation', 'actor': 'ben', 'partner_org': 'resellers', 'client_org': 'globex'})
    s({'type': 'EstablishPartnerRelation', 'actor': 'ben', 'partner_org': 'resellers', 'client_org': 'globex',
       'scope': 'full', 'billing': False})
    s({'type': 'AssignPartnerManager', 'actor': 'fay', 'partner_org': 'resellers', 'client_org': 'globex', 'user': 'fay'})
    s({'type': 'JoinAffiliateProgram', 'actor': 'svc:partners', 'org': 'affiliates'})
    s({'type': 'LeaveAffiliateProgram', 'actor': 'svc:partners', 'org': 'affiliates'})
    # Renewals (B1–B3).
    s({'type': 'EnableAutoRenewal', 'actor': 'ana', 'org': 'globex', 'product': 'g-mail', 'payment_method': 'visa'})
    s({'type': 'DisableAutoRenewal', 'actor': 'ana', 'org': 'globex', 'product': 'g-mail'})
    s({'type': 'RenewProduct', 'actor': 'svc:billing', 'org': 'globex', 'product': 'g-mail', 'expires_at': future(400),
       'payment_method': 'twint'})
    s({'type': 'RenewProduct', 'actor': 'svc:billing', 'org': 'globex', 'product': 'g-drive', 'expires_at': future(30),
       'payment_method': None})
    # Roles last: the handover, a removal and a departure.
    s({'type': 'HandoverLegalRepresentative', 'actor': 'ana', 'org': 'globex', 'from': 'ana', 'to': 'ben',
       'then': 'administrator'})
    s({'type': 'RemoveMember', 'actor': 'ben', 'org': 'globex', 'user': 'emil'})
    s({'type': 'LeaveOrganization', 'actor': 'dora', 'org': 'globex'})
    s({'type': 'HandoverLegalRepresentative', 'actor': 'gus', 'org': 'affiliates', 'from': 'gus', 'to': 'gus',
       'then': 'remove'}, expect=400)  # from and to are the same user: not accepted, so not counted
    s({'type': 'LeavePartnerProgram', 'actor': 'svc:partners', 'org': 'resellers'})


def problems(check):
    """Refusals and malformed input: each answer validates against the documented problem."""
    s = check.submit
    # Malformed input leaves no entry and names a command id all the same.
    check.submit_raw(b'{"type": "AddMember", ', expect=400)
    check.submit_raw(b'[1, 2]', expect=400)
    s({'type': 'Nope', 'actor': 'ana'}, expect=400)
    s({'type': 'RemoveMember', 'actor': 'ana', 'org': 'globex', 'user': 'ben', 'extra': 1, 'command_id': 'bad-1'}, expect=400)
    s({'type': 'RemoveMember', 'actor': 'ana', 'org': 'globex', 'user': 'not an id'}, expect=400)
    # Refused by the rules: recorded (D2), with the position of the CommandRejected entry.
    refused = s({'type': 'RemoveMember', 'actor': 'ben', 'org': 'globex', 'user': 'ben', 'command_id': 'refused-1'},
                expect=409)
    if refused.get('rule') != 'R3' or 'position' not in refused:
        raise Failure(f'a refusal by R3 with its position was expected: {refused}')
    again = s({'type': 'RemoveMember', 'actor': 'ben', 'org': 'globex', 'user': 'ben', 'command_id': 'refused-1'},
              expect=409)
    if again.get('duplicate') is not True:
        raise Failure(f'a repeated refused command answers the first problem with duplicate: {again}')
    s({'type': 'CreateOrganization', 'actor': 'ana', 'org': 'globex', 'name': 'Again'}, expect=409)
    s({'type': 'AddMember', 'actor': 'ana', 'org': 'nowhere', 'user': 'ben', 'role': 'collaborator'}, expect=404)
    s({'type': 'EnableAutoRenewal', 'actor': 'ana', 'org': 'globex', 'product': 'g-mail', 'payment_method': 'paypal'},
      expect=422)
    s({'type': 'UpdateOrganizationDetails', 'actor': 'ben', 'org': 'globex', 'name': 'Stale', 'expected_version': 1},
      expect=409)
    s({'type': 'RemoveMember', 'actor': 'cleo', 'org': 'globex', 'user': 'ben'}, expect=403)
    # The token's own checks (D2: no write; D4: not this actor).
    s({'type': 'LeaveOrganization', 'actor': 'ana', 'org': 'globex'}, token='reader', expect=403)
    s({'type': 'LeaveOrganization', 'actor': 'ana', 'org': 'globex'}, token='desk', expect=403)
    # A duplicate of an accepted command: its first answer.
    first = s({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': 'ivo', 'login': 'ivo@example.ch',
               'command_id': 'register-ivo'})
    duplicate = s({'type': 'RegisterUser', 'actor': 'svc:signup', 'user': 'ivo', 'login': 'ivo@example.ch',
                   'command_id': 'register-ivo'})
    if duplicate.get('duplicate') is not True or duplicate['position'] != first['position']:
        raise Failure(f'a duplicate answers the first answer with duplicate: {first} {duplicate}')
    # Before the command: no token, another method, a query parameter.
    for method, path, pattern, token, expect in [
            ('POST', '/v1/commands', '/v1/commands', None, 401), ('PUT', '/v1/commands', '/v1/commands', 'admin', 405),
            ('GET', '/v1/orgs/globex', '/v1/orgs/{org}', None, 401),
            ('DELETE', '/v1/orgs/globex', '/v1/orgs/{org}', 'admin', 405), ('GET', '/v1/verify', '/v1/verify', 'reader', 403)]:
        status, content_type, text = check.exchange(method, path, token=token, body={} if method == 'POST' else None)
        if status != expect:
            raise Failure(f'{method} {path}: {status}, expected {expect}')
        # A 405 is documented under the methods the path has.
        documented_method = 'POST' if pattern == '/v1/commands' else 'GET'
        check.check_answer(documented_method, pattern, status, content_type, text)
    status, content_type, text = check.exchange('POST', '/v1/commands', query={'dry_run': 'true'}, body={})
    if status != 400:
        raise Failure(f'POST /v1/commands?dry_run: {status}, expected 400')
    check.check_answer('POST', '/v1/commands', status, content_type, text)


def queries(check, positions):
    g = check.get
    org_routes = ['/v1/orgs/{org}', '/v1/orgs/{org}/members', '/v1/orgs/{org}/teams', '/v1/orgs/{org}/renewals',
                  '/v1/orgs/{org}/partners', '/v1/orgs/{org}/support-grants']
    middle = positions[len(positions) // 2]
    for org in ['globex', 'resellers', 'acme', 'webagency']:
        for route in org_routes:
            g(route, {'org': org})
            g(route, {'org': org}, {'as_of': str(middle)})
        g('/v1/orgs/{org}/support-grants', {'org': org}, {'status': 'all', 'at': instant(datetime.timedelta(days=8))})
    g('/v1/orgs/{org}', {'org': 'nowhere'}, expect=404)
    g('/v1/orgs/{org}/members', {'org': 'globex'}, {'as_of': 'yesterday'}, expect=400)
    for query in [{'org': 'globex', 'user': 'cleo', 'action': 'product.access', 'product': 'g-mail'},
                  {'org': 'globex', 'user': 'dora', 'action': 'product.access', 'product': 'g-mail', 'explain': 'true'},
                  {'org': 'globex', 'user': 'fay', 'action': 'org.billing', 'explain': 'true'},
                  {'org': 'globex', 'user': 'agent:yves', 'action': 'support.access', 'scope': 'mail',
                   'resource': 'g-mail/inbox-42'},
                  {'org': 'globex', 'user': 'ben', 'action': 'org.manage_teams', 'as_of': str(middle)}]:
        g('/v1/check', query=query)
    g('/v1/check', query={'org': 'globex', 'user': 'ben'}, expect=400)
    for query in [None, {'status': 'open'}, {'status': 'breached'}, {'status': 'at_risk'}, {'as_of': str(middle)}]:
        g('/v1/abuse-reports', query=query)
        g('/v1/abuse-reports', query=query, token='reader')
    for report in ['ar1', 'ar2', 'ar3', 'r1']:
        g('/v1/abuse-reports/{report}', {'report': report})
        g('/v1/abuse-reports/{report}', {'report': report}, token='reader')
        g('/v1/abuse-reports/{report}', {'report': report}, {'as_of': str(middle)}, expect=None)
    g('/v1/abuse-reports/{report}', {'report': 'nope'}, expect=404)
    page = g('/v1/events', query={'limit': '500'})
    if not page['events']:
        raise Failure('no events')
    g('/v1/events', query={'from': '1', 'limit': '50', 'envelope': 'true'})
    g('/v1/events', query={'stream': 'org:globex', 'envelope': 'true'}, token='reader_audit')
    g('/v1/events', query={'type': 'CommandRejected'})
    g('/v1/events', query={'actor': 'svc:privacy'})
    g('/v1/events', query={'limit': '0'}, expect=400)
    g('/v1/verify')
    for product in ['g-mail', 'g-drive', 'p-mail']:
        for org in ['globex', 'acme']:
            g('/v1/access-history', query={'org': org, 'product': product})
    g('/v1/access-history', query={'org': 'globex', 'product': 'g-mail', 'from': '5', 'to': instant(datetime.timedelta())})
    who = g('/v1/who-can', query={'org': 'globex', 'action': 'product.access', 'product': 'g-mail', 'limit': '1'})
    while who['next_cursor'] is not None:
        who = g('/v1/who-can', query={'org': 'globex', 'action': 'product.access', 'product': 'g-mail', 'limit': '1',
                                      'cursor': who['next_cursor']})
    g('/v1/who-can', query={'org': 'globex', 'action': 'org.billing'})
    g('/v1/who-can', query={'org': 'globex', 'action': 'support.access'})
    g('/v1/who-can', query={'org': 'nowhere', 'action': 'org.billing'}, expect=404)
    what = g('/v1/what-can', query={'org': 'globex', 'user': 'ben', 'limit': '2'})
    while what['next_cursor'] is not None:
        what = g('/v1/what-can', query={'org': 'globex', 'user': 'ben', 'limit': '2', 'cursor': what['next_cursor']})
    g('/v1/what-can', query={'org': 'globex', 'user': 'agent:yves', 'as_of': str(middle)})
    g('/healthz', token=None)
    g('/metrics')
    for user in ['ana', 'gus', 'carol', 'hal']:
        g('/v1/users/{user}', {'user': user})
        g('/v1/users/{user}', {'user': user}, token='reader')
    g('/v1/users/{user}', {'user': 'ana'}, {'as_of': str(middle)})
    g('/v1/users/{user}', {'user': 'nobody'}, expect=404)
    g('/v1/users/{user}', {'user': 'not an id'}, expect=400)
    for case in ['kc1', 'kc2', 'kc3', 'k1']:
        g('/v1/identity-verifications/{case}', {'case': case})
        g('/v1/identity-verifications/{case}', {'case': case}, token='reader')
    g('/v1/identity-verifications/{case}', {'case': 'kc2'}, {'as_of': str(positions[-1])})
    g('/v1/identity-verifications/{case}', {'case': 'nope'}, expect=404)
    for order in ['or1', 'or2', 'o1']:
        g('/v1/orders/{order}', {'order': order})
    g('/v1/orders/{order}', {'order': 'or2'}, {'at': instant(datetime.timedelta(days=11))})
    g('/v1/orders/{order}', {'order': 'nope'}, expect=404)
    # The public tree: the checkpoint is signed within a second of the last append.
    deadline = time.monotonic() + 5
    while True:
        status, content_type, text = check.exchange('GET', '/v1/tree/checkpoint', token=None)
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check.check_answer('GET', '/v1/tree/checkpoint', status, content_type, text)
    head = g('/healthz', token=None)['head']
    g('/v1/tree/inclusion', query={'position': '1'}, token=None)
    g('/v1/tree/inclusion', query={'position': str(head), 'tree_size': str(head)}, token=None)
    g('/v1/tree/consistency', query={'from': '1', 'to': str(head)}, token=None)
    g('/v1/tree/consistency', query={'from': str(head), 'to': '1'}, token=None, expect=400)
    g('/v1/tree/public-key', token=None)
    subscribe(check, head)


def subscribe(check, head):
    """An SSE catch-up: every event's data validates as an Event."""
    connection = http.client.HTTPConnection('127.0.0.1', check.port, timeout=10)
    try:
        connection.request('GET', '/v1/events/subscribe?from=1', headers={'Authorization': f'Bearer {check.tokens["admin"]}'})
        answer = connection.getresponse()
        check.check_answer('GET', '/v1/events/subscribe', answer.status, answer.getheader('Content-Type', ''), '')
        event_schema = {'$ref': '#/components/schemas/Event'}
        seen = 0
        while seen < head:
            line = answer.readline().decode()
            if not line:
                raise Failure(f'the event stream ended after {seen} events')
            if line.startswith('data: '):
                check.document.check(('event',), event_schema, json.loads(line[len('data: '):]),
                                     'an event of GET /v1/events/subscribe')
                seen += 1
    finally:
        connection.close()


def run(args):
    document = Document(args.document)
    data = tempfile.mkdtemp(prefix='openapi-conformance-')
    server = None
    try:
        tokens = {
            'admin': create_token(args.orgledger, data, 'conformance-admin', 'admin', 'svc:conformance', '*'),
            'reader': create_token(args.orgledger, data, 'conformance-reader', 'read', 'svc:reader', 'svc:reader'),
            'reader_audit': create_token(args.orgledger, data, 'conformance-auditor', 'read,audit', 'svc:auditor',
                                         'svc:auditor'),
            'desk': create_token(args.orgledger, data, 'conformance-desk', 'write,read', 'svc:desk', 'svc:*'),
        }
        server = Server(args.orgledger, data)
        check = Conformance(document, server.port, tokens)
        fixture_story(check, args.fixtures)
        own_story(check)
        page = check.get('/v1/events', query={'limit': '10000'})
        positions = [event['position'] for event in page['events']]
        problems(check)
        queries(check, positions)

        # Every command type of the document was accepted and validated at least once, and every
        # documented route answered 200 at least once.
        documented = set(document.raw['components']['schemas']['Command']['discriminator']['mapping'])
        accepted = {kind for kind, _ in check.accepted}
        if accepted != documented:
            raise Failure(f'command types never accepted: {sorted(documented - accepted)}; '
                          f'accepted but not documented: {sorted(accepted - documented)}')
        routes = {(method.upper(), path) for path, item in document.raw['paths'].items() for method in item}
        answered = {(method, path) for method, path, status in check.answered if status == 200}
        if routes - answered:
            raise Failure(f'routes never answered 200: {sorted(routes - answered)}')
        if args.save_commands:  # seeds of the fuzz corpora (tests/fuzz/write_corpus.sh)
            os.makedirs(args.save_commands, exist_ok=True)
            for index, (kind, command) in enumerate(check.accepted):
                with open(os.path.join(args.save_commands, f'{index:03d}-{kind}.json'), 'w') as file:
                    json.dump(command, file, ensure_ascii=False)
        statuses = sorted({f'{status}' for _, _, status in check.answered})
        print(f'conformance: {len(check.accepted)} accepted commands of {len(accepted)} types validate against the '
              f'request schema; {check.checked_answers} answers ({", ".join(statuses)}) of {len(routes)} routes '
              f'validate against their documented responses')
    finally:
        if server:
            server.stop()
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--orgledger', required=True, help='the orgledger binary')
    parser.add_argument('--document', required=True, help='api/openapi.json')
    parser.add_argument('--fixtures', required=True, help='tests/fixtures')
    parser.add_argument('--save-commands', help='also writes each accepted command to a file in this folder')
    run(parser.parse_args())


if __name__ == '__main__':
    try:
        main()
    except Failure as failure:
        print(f'conformance_test: FAILED: {failure}', file=sys.stderr)
        sys.exit(1)
