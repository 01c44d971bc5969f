"""A test of a shop client in Python with nothing but the standard library (unittest, urllib): drive the
client against a running mockwave, then ask the journal what it sent through the admin API.

    npx mockwave examples/testing/mockwave.yaml          # in one terminal
    python3 -m unittest examples/testing/test_shop.py    # in another (MOCKWAVE_URL to point elsewhere)

Each test names its own scope (the x-mockwave-scope header), so it sees only its own traffic, whoever else
shares the server.
"""
import json
import os
import unittest
import urllib.error
import urllib.request
import uuid

BASE = os.environ.get('MOCKWAVE_URL', 'http://localhost:3000')


def call(method, path, body=None, headers=None):
    """One HTTP request; (status, parsed JSON answer)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data, {'content-type': 'application/json', **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def log_in(scope, user, password):
    """The client under test: logs in, returns its token."""
    status, answer = call('POST', '/api/login', {'user': user, 'password': password}, {'x-mockwave-scope': scope})
    assert status == 200, answer
    return answer['token']


class ShopClientTest(unittest.TestCase):
    def setUp(self):
        self.scope = 'py-' + uuid.uuid4().hex[:8]

    def tearDown(self):
        call('DELETE', '/admin/journal?scope=' + self.scope)

    def verify(self, body):
        return call('POST', '/admin/verify', {'scope': self.scope, **body})

    def test_logs_in_once_with_the_users_name(self):
        log_in(self.scope, 'ada', 'lovelace')
        status, answer = self.verify({'match': {'method': 'POST', 'path': '/api/login', 'body': {'user': 'ada'}}, 'count': 1})
        self.assertEqual(status, 200, answer)
        # What the journal shows is masked: the password never comes back.
        self.assertEqual(answer['data']['entries'][0]['request']['json']['password'], '***')

    def test_a_verification_that_does_not_hold_names_the_part_that_differs(self):
        log_in(self.scope, 'grace', 'hopper')
        status, answer = self.verify({'match': {'method': 'POST', 'path': '/api/login', 'body': {'user': 'ada'}}})
        self.assertEqual(status, 417)
        self.assertEqual(answer['error']['code'], 'MW_VERIFY_FAILED')
        closest = answer['closest'][0]
        self.assertEqual([m['field'] for m in closest['mismatches']], ['body'])
        self.assertEqual(closest['mismatches'][0]['actual'], {'user': 'grace', 'password': '***'})

    def test_waits_for_a_request(self):
        log_in(self.scope, 'ada', 'lovelace')
        status, answer = call('POST', '/admin/wait', {'scope': self.scope, 'match': {'path': '/api/login'}, 'timeout': 2000})
        self.assertEqual(status, 200, answer)
        status, answer = call('POST', '/admin/wait', {'scope': self.scope, 'match': {'path': '/api/logout'}, 'timeout': 100})
        self.assertEqual((status, answer['error']['code']), (417, 'MW_WAIT_TIMED_OUT'))


if __name__ == '__main__':
    unittest.main()
