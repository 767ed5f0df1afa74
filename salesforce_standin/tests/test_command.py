"""`manage.py run_salesforce_standin` starts, serves simple-salesforce, persists its
state and stops on Ctrl-C."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from simple_salesforce import Salesforce

from crm.client import salesforce_http_session

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def start_command(*args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, str(MANAGE), "run_salesforce_standin", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    printed = {}
    lines = []
    for line in process.stdout:
        lines.append(line)
        match = re.match(r"^(SALESFORCE_[A-Z_]+)=(.*)$", line.strip())
        if match:
            printed[match.group(1)] = match.group(2)
        if "Press Ctrl-C" in line:
            return process, printed
    process.wait(timeout=10)
    pytest.fail("the command did not start:\n" + "".join(lines))


def stop_command(process):
    process.send_signal(signal.SIGINT)
    # Generous: on a loaded 2-core CI box the interpreter alone can take seconds to wind down.
    output, _ = process.communicate(timeout=60)
    return process.returncode, output


def connect(printed):
    return Salesforce(
        session_id=printed["SALESFORCE_SESSION_ID"],
        instance_url=printed["SALESFORCE_INSTANCE_URL"],
        session=salesforce_http_session(printed["SALESFORCE_CA_BUNDLE"]),
    )


def test_command_serves_and_persists_state(tmp_path):
    state_file = tmp_path / "org.json"
    tls_dir = tmp_path / "tls"
    process, printed = start_command("--state-file", str(state_file), "--tls-dir", str(tls_dir))
    try:
        assert printed["SALESFORCE_INSTANCE_URL"].startswith("https://127.0.0.1:")
        assert printed["SALESFORCE_CA_BUNDLE"] == str(tls_dir / "standin-ca.pem")
        sf = connect(printed)
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 6
        sf.Account.create({"Name": "Made During The Demo"})
    finally:
        returncode, output = stop_command(process)
    assert returncode == 0, output
    assert "stopped" in output
    saved = json.loads(state_file.read_text())
    assert "Made During The Demo" in {a["Name"] for a in saved["Account"]}

    # A second run reloads the state, with the same CA and session id.
    process, printed_again = start_command("--state-file", str(state_file), "--tls-dir", str(tls_dir))
    try:
        assert printed_again["SALESFORCE_SESSION_ID"] == printed["SALESFORCE_SESSION_ID"]
        sf = connect(printed_again)
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 7
    finally:
        assert stop_command(process)[0] == 0


def test_command_with_an_empty_org_and_a_given_session(tmp_path):
    process, printed = start_command("--empty", "--session-id", "demo-session", "--tls-dir", str(tmp_path))
    try:
        assert printed["SALESFORCE_SESSION_ID"] == "demo-session"
        assert connect(printed).query("SELECT COUNT() FROM Account")["totalSize"] == 0
    finally:
        assert stop_command(process)[0] == 0
