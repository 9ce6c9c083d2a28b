"""An NTP mode 7 responder for tests: answers MON_GETLIST_1 requests with a captured monlist
answer (fixtures/udp/ntp-monlist-response.hex), and nothing else.

NTPsec, the NTP server Debian ships, has no mode 7 at all; this stands in for an ntpd older
than 4.2.7p26. Usage: ntp_mode7.py ADDRESS PORT HEXFILE
"""

import socket
import sys

address, port, hexfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(hexfile, encoding="ascii") as f:
    answer = bytes.fromhex("".join(f.read().split()))

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind((address, port))
for _ in range(100000):
    request, client = server.recvfrom(2048)
    # Mode 7, not a response, request code 42 (MON_GETLIST_1).
    if len(request) >= 4 and request[0] & 0x07 == 7 and request[0] & 0x80 == 0 and request[3] == 0x2A:
        # The answer echoes the request's sequence byte.
        server.sendto(answer[:1] + request[1:2] + answer[2:], client)
