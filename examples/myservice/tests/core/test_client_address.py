import pytest

from app.core.client_address import client_key, grpc_client, parse_networks, peer_ip, rest_client


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.1", "198.51.100.1"),
        ("testclient", None),
        ("", None),
        (None, None),
    ],
)
def test_client_key(address: str | None, key: str | None) -> None:
    assert client_key(address) == key


def test_rest_client_ignores_forwarded_for_without_trusted_proxies() -> None:
    assert rest_client("10.0.0.2", "203.0.113.7", 0) == "10.0.0.2"


@pytest.mark.parametrize(
    ("forwarded_for", "hops", "client"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        ("192.0.2.1, 203.0.113.7", 1, "203.0.113.7"),  # the client wrote the first entry
        ("192.0.2.1, 203.0.113.7, 10.0.0.9", 2, "203.0.113.7"),
        ("203.0.113.7", 2, "10.0.0.2"),  # fewer entries than proxies: the connection counts
        ("not-an-address", 1, "10.0.0.2"),
        (None, 1, "10.0.0.2"),
    ],
)
def test_rest_client_behind_trusted_proxies(
    forwarded_for: str | None, hops: int, client: str
) -> None:
    assert rest_client("10.0.0.2", forwarded_for, hops) == client


def test_parse_networks() -> None:
    networks = parse_networks(" 10.0.0.0/8, ,::1 ")
    assert [str(network) for network in networks] == ["10.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match="'nowhere'"):
        parse_networks("nowhere")


@pytest.mark.parametrize(
    ("peer", "ip"),
    [
        ("ipv4:10.0.0.1:5000", "10.0.0.1"),
        ("ipv6:[::1]:5000", "::1"),
        ("unix:/tmp/socket", None),
    ],
)
def test_peer_ip(peer: str, ip: str | None) -> None:
    assert peer_ip(peer) == ip


def test_grpc_client_believes_trusted_peers_only() -> None:
    trusted = parse_networks("10.0.0.0/8")
    assert grpc_client("ipv4:10.1.2.3:5000", "203.0.113.7", trusted) == "203.0.113.7"
    assert grpc_client("ipv4:10.1.2.3:5000", "garbage", trusted) == "10.1.2.3"
    assert grpc_client("ipv4:10.1.2.3:5000", None, trusted) == "10.1.2.3"
    assert grpc_client("ipv4:192.0.2.1:5000", "203.0.113.7", trusted) == "192.0.2.1"
    assert grpc_client("unix:/tmp/socket", "203.0.113.7", trusted) is None


def test_grpc_client_counts_what_a_layered_rest_process_forwards_as_its_client() -> None:
    trusted = parse_networks("10.0.0.0/8")
    for address in ("203.0.113.7", "2001:db8:1:2:3:4:5:6"):
        forwarded = rest_client(address, None, 0)
        assert forwarded is not None
        assert grpc_client("ipv4:10.1.2.3:5000", forwarded, trusted) == client_key(address)
