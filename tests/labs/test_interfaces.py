"""The scripted and machine interfaces: manage.py import_labs (stage, dry run, accept), the MLLP
listener with its ACKs (AA staged or already received, AR refused) and the FHIR endpoint (token)."""
import hashlib
import io
import json
import socket
import threading

import pytest
from django.core.management import CommandError, call_command

from crf.models.labs import LabPanel
from labs.mllp import END, START, Server
from labs.models import ImportBatch, InterfaceToken, StagedResult
from tests.fuzz.db import changed_tables, table_counts
from tests.labs.helpers import EXAMPLES, data_manager, example_trial

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def trial(site, clinician):
    p1, p2 = example_trial(site, clinician)
    dm = data_manager(site)
    return {"p1": p1, "dm": dm}


def run(*args) -> dict:
    out = io.StringIO()
    call_command("import_labs", *args, stdout=out)
    return json.loads(out.getvalue())


def test_command_stages_dry_runs_and_accepts(trial):
    path = str(EXAMPLES / "oru_r01_v24.hl7")
    before = table_counts()
    dry = run(path, "--dry-run", "--as", trial["dm"].username)
    assert dry["dry_run"] and dry["batch"] is None and dry["counts"]["ready"] == 55
    assert not changed_tables(before, table_counts())
    staged = run(path, "--format", "hl7", "--as", trial["dm"].username)
    assert staged["counts"] == {**dry["counts"]} and staged["batch"]
    accepted = run("--accept", str(staged["batch"]), "--as", trial["dm"].username, "--reason", "Nightly LIS file")
    assert accepted["accepted"] == 55 and LabPanel.objects.count() == 4
    # the corrected creatinine (OBX-11 C) becomes a change with reason
    correction = StagedResult.objects.get(status="correction")
    from labs.services.accept import accept
    accept(ImportBatch.objects.get(pk=staged["batch"]), user=trial["dm"], reason="LIS correction",
           row_ids=[correction.pk])
    panel = LabPanel.objects.get(visit=correction.visit)
    assert panel.creatinine_value == 94
    assert "LIS correction" in panel.history.first().history_change_reason
    assert panel.history.first().prev_record.creatinine_value == 84
    again = run(path, "--as", trial["dm"].username)
    assert again["repeat_of_earlier_import"]


def test_command_refuses_what_it_cannot_do(trial, clinician):
    with pytest.raises(CommandError):
        run(str(EXAMPLES / "oru_r01_v24.hl7"), "--as", clinician.username)  # not a data manager
    with pytest.raises(CommandError):
        run("--accept", "999", "--as", trial["dm"].username, "--reason", "x")
    with pytest.raises(CommandError):
        run("/no/such/file.csv", "--as", trial["dm"].username)


def _mllp(port: int, message: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(START + message.encode() + END)
        data = b""
        while not data.endswith(END):
            data += s.recv(4096)
    return data[1:-2].decode()


@pytest.mark.django_db(transaction=True)
def test_mllp_listener_answers_each_message(site, clinician):
    example_trial(site, clinician)
    dm = data_manager(site)
    server = Server(("127.0.0.1", 0), user=dm, sites=[site])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        text = (EXAMPLES / "oru_r01_v24.hl7").read_bytes().decode().split("\rMSH")[0]
        reply = _mllp(port, text)
        assert "MSA|AA|" in reply and "staged in batch" in reply
        assert "MSA|AA|" in _mllp(port, text) and "already received" in _mllp(port, text)
        assert ImportBatch.objects.count() == 1
        refused = _mllp(port, text.replace("ORU^R01", "ADT^A01"))
        assert "MSA|AR|" in refused and "is not ORU\\S\\R01" in refused  # ^ escaped in MSA-3
        assert "MSA|AR|" in _mllp(port, "garbage")
    finally:
        server.shutdown()
        server.server_close()


def test_fhir_endpoint_needs_the_interface_token(trial, client):
    body = (EXAMPLES / "observations_r4.json").read_bytes()
    assert client.post("/api/labs/fhir/", body, content_type="application/fhir+json").status_code == 401
    key = "k" * 40
    InterfaceToken.objects.create(user=trial["dm"], key_sha256=hashlib.sha256(key.encode()).hexdigest())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    r5 = client.post("/api/labs/fhir/", body, content_type="application/fhir+json; fhirVersion=5.0", **auth)
    assert r5.status_code == 415 and not ImportBatch.objects.exists()
    response = client.post("/api/labs/fhir/", body, content_type="application/fhir+json; fhirVersion=4.0", **auth)
    assert response.status_code == 200 and response.json()["counts"]["ready"] == 55
    bad = client.post("/api/labs/fhir/", b"{not json", content_type="application/fhir+json", **auth)
    assert bad.status_code == 422 and "FHIR JSON" in bad.json()["error"]
