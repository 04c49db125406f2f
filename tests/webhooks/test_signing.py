"""X-PIM-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>."""

import datetime

import time_machine

from webhooks.signing import signature_header, verify

BODY = b'{"a":1}'
SECRET = "whsec_test"
T = 1_700_000_000
HEADER = "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
AT_T = datetime.datetime.fromtimestamp(T, tz=datetime.UTC)


def test_signature_header_signs_timestamp_dot_body():
    assert signature_header(BODY, SECRET, T) == HEADER


@time_machine.travel(AT_T + datetime.timedelta(seconds=299), tick=False)
def test_verify_accepts_the_header_within_the_tolerance():
    assert verify(BODY, HEADER, SECRET) is True


@time_machine.travel(AT_T + datetime.timedelta(seconds=301), tick=False)
def test_verify_refuses_an_old_timestamp():
    assert verify(BODY, HEADER, SECRET) is False
    assert verify(BODY, HEADER, SECRET, tolerance=600) is True


@time_machine.travel(AT_T, tick=False)
def test_verify_refuses_another_body_secret_or_a_malformed_header():
    assert verify(b'{"a":2}', HEADER, SECRET) is False
    assert verify(BODY, HEADER, "whsec_other") is False
    assert verify(BODY, "v1=abc", SECRET) is False
    assert verify(BODY, "t=soon,v1=abc", SECRET) is False
    assert verify(BODY, "", SECRET) is False


@time_machine.travel(AT_T, tick=False)
def test_verify_accepts_any_of_several_signatures():
    other = signature_header(BODY, "whsec_old", T).split(",")[1]
    assert verify(BODY, f"{HEADER},{other}", "whsec_old") is True
