"""Single byte ranges of the dumps (RFC 9110 14): a resumed or partial download gets 206
with its Content-Range, 416 past the end, and the whole dump when If-Range names another
version or several ranges are asked for. Before, Range was ignored (200, the whole dump)."""

from __future__ import annotations

import pytest


@pytest.fixture
def whole(client):
    reply = client.get("/download/kazkg.nt")
    assert reply.status_code == 200 and reply.headers["Accept-Ranges"] == "bytes"
    return reply


def test_a_byte_range_is_206(client, whole):
    size = len(whole.data)
    part = client.get("/download/kazkg.nt", headers={"Range": "bytes=5-14"})
    assert part.status_code == 206 and part.data == whole.data[5:15]
    assert part.headers["Content-Range"] == f"bytes 5-14/{size}"
    tail = client.get("/download/kazkg.nt", headers={"Range": "bytes=-7"})
    assert tail.status_code == 206 and tail.data == whole.data[-7:]
    same = client.get("/download/kazkg.nt", headers={"Range": "bytes=0-9",
                                                     "If-Range": whole.headers["ETag"]})
    assert same.status_code == 206 and same.data == whole.data[:10]


def test_a_range_past_the_end_is_416_and_others_get_the_whole_dump(client, whole):
    size = len(whole.data)
    past = client.get("/download/kazkg.nt", headers={"Range": f"bytes={size + 10}-"})
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{size}"
    assert "bytes" in past.get_json()["error"]["message"]
    for headers in ({"Range": "bytes=0-9", "If-Range": '"another-version"'},
                    {"Range": "bytes=0-1,5-6"}):
        reply = client.get("/download/kazkg.nt", headers=headers)
        assert reply.status_code == 200 and reply.data == whole.data


def test_a_dump_comes_gzipped_when_the_client_takes_it(client, whole):
    import gzip

    packed = client.get("/download/kazkg.nt", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == whole.data and "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["ETag"] != whole.headers["ETag"]  # another representation
    assert "Content-Encoding" not in whole.headers
    again = client.get("/download/kazkg.nt", headers={"Accept-Encoding": "gzip",
                                                      "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    refused = client.get("/download/kazkg.nt", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == whole.data
