"""The book server: a reader who closes the page mid-transfer leaves no traceback behind."""

from __future__ import annotations

import socket
import struct
import threading

from peercare.serving.serve import HOST, book_server, free_port


def test_a_closed_connection_prints_no_traceback(tmp_path, capfd):
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "big.bin").write_bytes(b"\0" * 20_000_000)  # not gzipped: streamed
    server = book_server(tmp_path, 0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert sock.recv(1024).startswith(b"HTTP/1.0 200")
                # close with a reset, as a phone leaving the page does
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with socket.create_connection(("127.0.0.1", port)) as sock:  # still serving
            sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(1024).startswith(b"HTTP/1.0 200")
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_a_free_port_is_below_the_range_outgoing_connections_are_given(tmp_path):
    """A port from bind(0) may be handed to any program's outgoing connection before our
    server binds it (CI: "Address already in use"); ours come from below that range."""
    ranges = tmp_path / "ip_local_port_range"
    ranges.write_text("32768\t60999\n")
    ports = {free_port(str(ranges)) for _ in range(20)}
    assert all(20000 <= p < 32768 for p in ports), ports
    assert len(ports) > 1  # random, so two test servers rarely try the same one
    port = free_port(str(ranges))
    with socket.socket() as s:
        s.bind((HOST, port))  # free indeed
    ranges.write_text("1024 60999\n")  # no room below: still a free port
    assert free_port(str(ranges)) > 0
