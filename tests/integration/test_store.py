"""RequestStore and the config object, against moto S3."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from jit_access.edges.retry import AwsError
from jit_access.edges.store import RequestStore, load_config_object
from jit_access.errors import AlreadyRecorded, ConfigError

RID = "20240501T120000Z-0a1b2c3d"
ARABIC_INDIC_DATE = "".join(chr(0x0660 + int(d)) for d in "20240501")
# The store has no sleep of its own to inject; a zero jitter draw makes its backoff instant.
NO_BACKOFF = mock.patch("jit_access.edges.retry.random.uniform", return_value=0.0)


@pytest.fixture
def store(s3, bucket) -> RequestStore:
    return RequestStore(s3=s3, bucket=bucket)


def test_event_lands_under_its_date_partition_as_json(store, s3, bucket):
    store.put_event(RID, "00-requested", b'{"event": "requested"}')

    obj = s3.get_object(Bucket=bucket, Key=f"audit/dt=2024-05-01/request_id={RID}/00-requested.json")
    assert obj["Body"].read() == b'{"event": "requested"}'
    assert obj["ContentType"] == "application/json"


def test_second_write_to_a_slot_is_refused_and_the_first_event_stays(store, s3, bucket):
    store.put_event(RID, "20-decision", b'{"event": "approved"}')

    with pytest.raises(AlreadyRecorded):
        store.put_event(RID, "20-decision", b'{"event": "denied"}')

    assert store.read_event(RID, "20-decision") == b'{"event": "approved"}'
    versions = s3.list_object_versions(Bucket=bucket, Prefix=f"audit/dt=2024-05-01/request_id={RID}/20-")
    assert len(versions["Versions"]) == 1


def test_events_read_back_in_lifecycle_order_whatever_the_write_order(store):
    for slot in ["60-revoke", "00-requested", "40-grant", "10-approval-U2", "10-approval-U1", "20-decision"]:
        store.put_event(RID, slot, slot.encode())

    events = store.read_events(RID)

    assert [slot for slot, _ in events] == [
        "00-requested",
        "10-approval-U1",
        "10-approval-U2",
        "20-decision",
        "40-grant",
        "60-revoke",
    ]
    assert all(body == slot.encode() for slot, body in events)


def test_events_of_another_request_are_not_mixed_in(store):
    other = "20240501T120000Z-ffffffff"
    store.put_event(RID, "00-requested", b"mine")
    store.put_event(other, "00-requested", b"theirs")

    assert store.read_events(RID) == [("00-requested", b"mine")]


class SmallPages:
    """The moto client, but S3 lists at most two keys per page, so every listing spans several pages."""

    def __init__(self, s3):
        self._s3 = s3

    def __getattr__(self, name):
        return getattr(self._s3, name)

    def list_objects_v2(self, **params):
        return self._s3.list_objects_v2(MaxKeys=2, **params)


def test_reading_events_across_pages(s3, bucket):
    store = RequestStore(s3=SmallPages(s3), bucket=bucket)
    slots = [
        "00-requested",
        "10-approval-U1",
        "10-approval-U2",
        "20-decision",
        "30-grant-started",
        "40-grant",
    ]
    for slot in reversed(slots):
        store.put_event(RID, slot, slot.encode())

    assert [slot for slot, _ in store.read_events(RID)] == slots


def test_listing_request_ids_across_pages(s3, bucket):
    store = RequestStore(s3=SmallPages(s3), bucket=bucket)
    ids = [f"2024050{day}T000000Z-0000000{n}" for day in (1, 2, 3) for n in (1, 2, 3)]
    for rid in ids:
        store.put_event(rid, "00-requested", b"{}")

    assert store.list_request_ids() == ids
    assert store.list_request_ids(since_date=date(2024, 5, 2)) == ids[3:]


def test_unknown_request_has_no_events(store):
    assert store.read_events(RID) == []
    assert store.read_event(RID, "00-requested") is None


@pytest.mark.parametrize(
    "hostile",
    [
        "../../config/config",
        "20240501T120000Z-0a1b2c3d/../x",
        "20240501T120000Z-0a1b2c3d\n",
        "20240501T120000Z-0A1B2C3D",
        ARABIC_INDIC_DATE + "T120000Z-0a1b2c3d",  # digits, but not ASCII ones
        "20241301T120000Z-0a1b2c3d",  # month 13
        "",
    ],
)
def test_malformed_request_ids_are_refused_before_any_s3_call(hostile):
    s3 = mock.Mock()
    store = RequestStore(s3=s3, bucket="b")

    with pytest.raises(ValueError):
        RequestStore.request_prefix(hostile)
    for call in (
        lambda: store.put_event(hostile, "00-requested", b"{}"),
        lambda: store.read_events(hostile),
        lambda: store.get_message_ref(hostile),
        lambda: store.put_message_ref(hostile, channel="C1", ts="1.2"),
    ):
        with pytest.raises(ValueError):
            call()
    assert s3.mock_calls == []


def test_malformed_slot_is_refused(store):
    with pytest.raises(ValueError):
        store.put_event(RID, "../00-requested", b"{}")


def test_request_prefix_follows_the_contract():
    assert RequestStore.request_prefix(RID) == f"audit/dt=2024-05-01/request_id={RID}/"


def test_message_ref_round_trip_and_overwrite(store, s3, bucket):
    assert store.get_message_ref(RID) is None

    store.put_message_ref(RID, channel="C1", ts="111.222")
    store.put_message_ref(RID, channel="C1", ts="333.444")

    assert store.get_message_ref(RID) == ("C1", "333.444")
    body = json.loads(s3.get_object(Bucket=bucket, Key=f"state/messages/{RID}.json")["Body"].read())
    assert body == {"channel": "C1", "ts": "333.444"}


def test_request_ids_listed_from_a_date_on(store, s3, bucket):
    ids = ["20240430T235959Z-00000001", "20240501T000000Z-00000002", "20240502T101010Z-00000003"]
    for rid in ids:
        store.put_event(rid, "00-requested", b"{}")
    s3.put_object(Bucket=bucket, Key="audit/digests/dt=2024-05-01/digest.json", Body=b"{}")
    s3.put_object(Bucket=bucket, Key="audit/dt=2024-05-01/request_id=not-an-id/00-requested.json", Body=b"{}")

    assert store.list_request_ids() == ids
    assert store.list_request_ids(since_date=date(2024, 5, 1)) == ids[1:]
    assert store.list_request_ids(since_date=date(2024, 5, 3)) == []


def test_lost_race_answered_409_is_asked_again_and_resolves_to_already_recorded():
    """S3 answers 409 while another conditional write of the key is in flight; the retry then sees 412."""
    s3 = mock.Mock()
    s3.put_object.side_effect = [
        _client_error("ConditionalRequestConflict", 409),
        _client_error("PreconditionFailed", 412),
    ]
    store = RequestStore(s3=s3, bucket="b")

    with NO_BACKOFF, pytest.raises(AlreadyRecorded):
        store.put_event(RID, "20-decision", b"{}")
    assert s3.put_object.call_count == 2
    assert s3.put_object.call_args.kwargs["IfNoneMatch"] == "*"


def test_config_object_and_its_version(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="config/config.json", Body=b'{"schema_version": 1}')

    raw, version = load_config_object(s3, bucket, "config/config.json")

    assert raw == b'{"schema_version": 1}'
    assert version == put["VersionId"]


def test_missing_config_object_fails_loudly_naming_it(s3, bucket):
    with pytest.raises(ConfigError, match=f"s3://{bucket}/config/missing.json"):
        load_config_object(s3, bucket, "config/missing.json")


def test_s3_outage_is_a_retryable_edge_error_not_a_missing_event():
    s3 = mock.Mock()
    s3.get_object.side_effect = _client_error("InternalError", 500)
    store = RequestStore(s3=s3, bucket="b")

    with NO_BACKOFF, pytest.raises(AwsError) as raised:
        store.read_event(RID, "00-requested")
    assert raised.value.retryable
    assert s3.get_object.call_count == 6


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )
