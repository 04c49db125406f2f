"""Where a webhook may go: public https addresses only (SSRF), no credentials in
the address; checked when saved and again at each attempt."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from webhooks.targets import check_target_url, resolve_target

PUBLIC = "93.184.215.14"  # a global address: no DNS needed
HTTPS_ONLY = "Use an https:// address."
CREDENTIALS = (
    "Do not put a user name or password in the address: each delivery is signed with "
    "the subscription's secret instead."
)


def refusal(url: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        check_target_url(url)
    return caught.value.message_dict["target_url"]


def private(host: str, address: str) -> list[str]:
    return [
        f"{host} is a private or reserved address ({address}): "
        "webhooks go to public addresses only."
    ]


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    ("url", "host", "address"),
    [
        ("https://127.0.0.1/hook", "127.0.0.1", "127.0.0.1"),
        ("https://10.1.2.3/hook", "10.1.2.3", "10.1.2.3"),
        ("https://172.16.0.9/hook", "172.16.0.9", "172.16.0.9"),
        ("https://192.168.1.1:8443/hook", "192.168.1.1", "192.168.1.1"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254", "169.254.169.254"),
        ("https://100.64.0.1/", "100.64.0.1", "100.64.0.1"),
        ("https://0.0.0.0/", "0.0.0.0", "0.0.0.0"),
        ("https://224.0.0.1/", "224.0.0.1", "224.0.0.1"),
        ("https://240.0.0.1/", "240.0.0.1", "240.0.0.1"),
        ("https://[::1]/hook", "::1", "::1"),
        ("https://[fe80::1]/hook", "fe80::1", "fe80::1"),
        ("https://[fd00::1]/hook", "fd00::1", "fd00::1"),
        ("https://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("https://2130706433/hook", "2130706433", "127.0.0.1"),  # 127.0.0.1 as a number
    ],
)
def test_private_and_reserved_targets_are_refused(url, host, address):
    assert refusal(url) == private(host, address)


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_a_name_resolving_to_loopback_is_refused():
    assert refusal("https://localhost/hook") in (
        private("localhost", "127.0.0.1"),
        private("localhost", "::1"),
    )


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_a_public_https_target_is_accepted_and_connected_to_by_address():
    assert check_target_url(f"  https://{PUBLIC}:8443/hooks/pim?page=2  ") == (
        f"https://{PUBLIC}:8443/hooks/pim?page=2"
    )
    target = resolve_target(f"https://{PUBLIC}/hooks")
    assert (target.scheme, target.host, target.port, target.address, target.path) == (
        "https",
        PUBLIC,
        443,
        PUBLIC,
        "/hooks",
    )


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_plain_http_is_refused():
    assert refusal(f"http://{PUBLIC}/hook") == [HTTPS_ONLY]


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=True)
def test_the_setting_allows_private_addresses_and_http_on_loopback_only():
    assert check_target_url("http://127.0.0.1:8000/hook") == "http://127.0.0.1:8000/hook"
    assert check_target_url("https://10.1.2.3/hook") == "https://10.1.2.3/hook"
    assert refusal("http://10.1.2.3/hook") == [HTTPS_ONLY]


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:pass@{PUBLIC}/hook",
        f"https://user@{PUBLIC}/hook",
        f"https://:pass@{PUBLIC}/hook",
    ],
)
def test_credentials_in_the_address_are_refused(url):
    assert refusal(url) == [CREDENTIALS]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("secret=abc", "secret"),
        ("page=2&token=abc", "token"),
        ("Api-Key=abc", "Api-Key"),
        ("access_token=", "access_token"),
        ("password=x", "password"),
        ("signature=x", "signature"),
        ("key=x", "key"),
    ],
)
def test_secrets_in_the_query_string_are_refused(query, key):
    assert refusal(f"https://{PUBLIC}/hook?{query}") == [
        f'Put secrets in the signature header, not in the address ("{key}"): '
        "check X-PIM-Signature with the subscription's secret."
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address to send the events to."),
        (None, "Enter the address to send the events to."),
        ("ftp://example.org/hook", HTTPS_ONLY),
        ("file:///etc/passwd", HTTPS_ONLY),
        ("https:///hook", "The address has no host name."),
        ("https://exa mple.org/", "The address may not contain spaces or control characters."),
        (f"https://{PUBLIC}:99999/", "The port must be a number from 1 to 65535."),
        ("https://nowhere.invalid/hook", 'The host name "nowhere.invalid" does not resolve.'),
        (
            "https://example.org/" + "a" * 481,
            "The address is 501 characters long; the most is 500.",
        ),
    ],
)
def test_malformed_addresses_are_refused(url, message):
    assert refusal(url) == [message]
