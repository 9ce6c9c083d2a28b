"""A TLS 1.2 server with a Bleichenbacher padding oracle, for the ROBOT test.

It speaks just enough TLS to take an RSA key exchange (TLS_RSA_WITH_AES_128_CBC_SHA): it answers
a ClientHello with ServerHello, Certificate and ServerHelloDone, decrypts the
ClientKeyExchange with the private key and tells a well-formed PKCS#1 v1.5 block
(alert bad_record_mac, as if the Finished failed) from a malformed one (alert decrypt_error).
That difference is the oracle that ROBOT looks for. Loopback tests only.

usage: robot_oracle.py ADDRESS PORT CERT.pem KEY.pem
"""

import socket
import socketserver
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key

SUITE = 0x002F


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_record(sock):
    kind, _version, length = struct.unpack("!BHH", read_exact(sock, 5))
    return kind, read_exact(sock, length)


def record(kind, version, body):
    return struct.pack("!BHH", kind, version, len(body)) + body


def handshake(kind, body):
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def alert(version, description):
    return record(21, version, bytes([2, description]))


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(5)
        try:
            kind, hello = read_record(sock)
            if kind != 22 or hello[0] != 1:
                return
            client_version = struct.unpack("!H", hello[4:6])[0]
            at = 38 + 1 + hello[38]
            (suites_len,) = struct.unpack("!H", hello[at : at + 2])
            suites = struct.unpack(f"!{suites_len // 2}H", hello[at + 2 : at + 2 + suites_len])
            version = min(client_version, 0x0303)
            if version < 0x0301:
                sock.sendall(alert(0x0301, 70))
                return
            if SUITE not in suites:
                sock.sendall(alert(version, 40))
                return
            server_hello = struct.pack("!H", version) + bytes(32) + b"\x00"
            server_hello += struct.pack("!HB", SUITE, 0)
            certs = len(CERT).to_bytes(3, "big") + CERT
            flight = handshake(2, server_hello)
            flight += handshake(11, len(certs).to_bytes(3, "big") + certs)
            flight += handshake(14, b"")
            sock.sendall(record(22, version, flight))
            kind, body = read_record(sock)
            if kind != 22 or body[0] != 16:
                return
            (length,) = struct.unpack("!H", body[4:6])
            cipher = int.from_bytes(body[6 : 6 + length], "big")
            block = pow(cipher, PRIVATE.d, PRIVATE.public_numbers.n).to_bytes(MODULUS_BYTES, "big")
            # The flaw: a well-formed block (00 02, nonzero padding, 00 before a 48-byte
            # secret) is answered differently from a malformed one.
            separator = block.find(b"\x00", 2)
            well_formed = block[:2] == b"\x00\x02" and separator == MODULUS_BYTES - 49
            sock.sendall(alert(version, 20 if well_formed else 51))
        except (EOFError, OSError, ValueError, IndexError, struct.error):
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    address, port, cert_path, key_path = sys.argv[1:5]
    with open(cert_path, "rb") as f:
        CERT = x509.load_pem_x509_certificate(f.read()).public_bytes(Encoding.DER)
    with open(key_path, "rb") as f:
        PRIVATE = load_pem_private_key(f.read(), password=None).private_numbers()
    MODULUS_BYTES = (PRIVATE.public_numbers.n.bit_length() + 7) // 8
    with Server((address, int(port)), Handler) as server:
        server.serve_forever()
