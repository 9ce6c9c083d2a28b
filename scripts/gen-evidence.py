#!/usr/bin/env python3
"""Writes evidence for scripts/bench-evidence, in the vendors' formats (see fixtures/README.md).

usage: gen-evidence.py report OUT.csv USERS        one IAM credential report
       gen-evidence.py folder OUT_DIR MEGABYTES   a mixed evidence folder of about that size

The mixed folder holds what an assessment of a mid-sized organisation collects: IAM credential
reports of many accounts, Entra ID registration details (Graph JSON pages and German
Export-Csv), Google Workspace user pages, `sshd -T` and PAM files of many hosts, and files
postura does not use (syslog excerpts, a firewall log, binary blobs).
"""

import base64
import json
import os
import random
import sys

rng = random.Random(20261127)
FIRST = ["anna", "jörg", "mehmet", "lena", "stefan", "katrin", "lukas", "sabine", "thomas", "özlem"]
LAST = ["müller", "schmidt", "weiß", "özdemir", "fuchs", "groß", "becker", "könig", "wagner", "bäcker"]
HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
          "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
          "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
          "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
          "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")


def when():
    return f"20{rng.randint(19, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}+00:00"


def name(i):
    return f"{FIRST[i % 10]}.{LAST[(i // 10) % 10]}{i}"


def report(users, account):
    lines = [HEADER, f"<root_account>,arn:aws:iam::{account}:root,{when()},not_supported,{when()},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"]
    for i in range(users - 1):
        console = rng.random() < 0.7
        key = rng.random() < 0.4
        lines.append(",".join([
            name(i), f"arn:aws:iam::{account}:user/{name(i)}", when(),
            "true" if console else "false",
            (when() if rng.random() < 0.8 else "no_information") if console else "N/A",
            when() if console else "N/A", "N/A",
            "true" if rng.random() < 0.8 else "false",
            "true" if key else "false", when() if key else "N/A", when() if key else "N/A",
            "eu-central-1" if key else "N/A", "s3" if key else "N/A",
            "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"]) + "\n")
    return "".join(lines)


def entra_page(users, start, domain):
    methods = [["fido2"], ["microsoftAuthenticatorPush", "softwareOneTimePasscode"], ["mobilePhone"], []]
    value = []
    for i in range(start, start + users):
        m = methods[i % 4]
        value.append({"id": f"{i:08x}-0000-4000-8000-{i:012x}", "userPrincipalName": f"{name(i)}@{domain}",
                      "userDisplayName": name(i).title(), "userType": "member", "isAdmin": i % 50 == 0,
                      "isSsprRegistered": bool(m), "isSsprEnabled": True, "isSsprCapable": bool(m),
                      "isMfaRegistered": bool(m), "isMfaCapable": bool(m), "isPasswordlessCapable": m == ["fido2"],
                      "methodsRegistered": m, "isSystemPreferredAuthenticationMethodEnabled": True,
                      "systemPreferredAuthenticationMethods": m[:1],
                      "userPreferredMethodForSecondaryAuthentication": m[0] if m else "none",
                      "lastUpdatedDateTime": "2026-11-26T23:14:02.9834921Z"})
    return json.dumps({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails",
                       "@odata.nextLink": f"https://graph.microsoft.com/v1.0/reports/authenticationMethods/userRegistrationDetails?$skiptoken={start}",
                       "value": value}, indent=2, ensure_ascii=False)


def entra_csv(users, domain):
    rows = ['#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUserRegistrationDetails',
            '"Id";"IsAdmin";"IsMfaCapable";"IsMfaRegistered";"LastUpdatedDateTime";"MethodsRegistered";"UserDisplayName";"UserPrincipalName";"UserType"']
    for i in range(users):
        mfa = "True" if i % 3 else "False"
        rows.append(f'"{i:08x}";"{"True" if i % 40 == 0 else "False"}";"{mfa}";"{mfa}";"26.11.2026 23:14:02";"System.String[]";"{name(i).title()}";"{name(i)}@{domain}";"member"')
    return "\r\n".join(rows) + "\r\n"


def google_page(users, start, domain):
    return json.dumps({"kind": "admin#directory#users", "users": [
        {"kind": "admin#directory#user", "id": str(10**20 + i), "primaryEmail": f"{name(i)}@{domain}",
         "name": {"fullName": name(i).title()}, "isAdmin": i % 100 == 0, "isDelegatedAdmin": False,
         "lastLoginTime": when().replace("+00:00", ".000Z"), "suspended": i % 30 == 0, "archived": False,
         "isEnrolledIn2Sv": i % 4 != 0, "isEnforcedIn2Sv": i % 8 == 0, "customerId": "C01abc2de"}
        for i in range(start, start + users)], "nextPageToken": f"p{start}"}, indent=2, ensure_ascii=False)


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode, encoding=None if "b" in mode else "utf-8") as f:
        f.write(text)
    return os.path.getsize(path)


def folder(out, megabytes):
    here = os.path.dirname(os.path.abspath(__file__))
    sshd = open(os.path.join(here, "..", "fixtures/evidence/mfa/hosts/web01/sshd-T.txt")).read()
    pam = open(os.path.join(here, "..", "fixtures/evidence/mfa/hosts/web01/pam.d/sshd")).read()
    budget = megabytes * 1024 * 1024
    used = 0
    # About 40 % parsed exports, 60 % files postura lists as not used.
    for a in range(60):
        used += write(f"{out}/aws/{100000000000 + a}/credential-report.csv", report(2000, 100000000000 + a))
    for p in range(60):
        used += write(f"{out}/entra/contoso/page-{p:03d}.json", entra_page(1000, p * 1000, "contoso.de"))
    for c in range(10):
        used += write(f"{out}/entra/fabrikam-{c}/registration-details.csv", "\ufeff" + entra_csv(5000, f"fabrikam{c}.de"))
    for p in range(40):
        used += write(f"{out}/google/users-{p:03d}.json", google_page(500, p * 500, "praxis-beispiel.de"))
    for h in range(300):
        used += write(f"{out}/hosts/srv{h:03d}/sshd-T.txt", sshd)
        used += write(f"{out}/hosts/srv{h:03d}/pam.d/sshd", pam)
    line = "Nov 27 09:14:02 srv001 sshd[12345]: Accepted publickey for deploy from 10.1.2.3 port 53422 ssh2: ED25519 SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\n"
    n = 0
    while used < budget:
        chunk = min(100 * 1024 * 1024, budget - used)
        if n % 4 == 3:
            used += write(f"{out}/misc/blob-{n}.bin", os.urandom(min(chunk, 20 * 1024 * 1024)), "wb")
        else:
            used += write(f"{out}/logs/auth-{n}.log", line * (chunk // len(line) + 1))
        n += 1


if __name__ == "__main__":
    if sys.argv[1] == "report":
        write(sys.argv[2], report(int(sys.argv[3]), 123456789012))
    else:
        folder(sys.argv[2], int(sys.argv[3]))
