"""Time and peak memory of one import, in a process of its own (test_import_limits.py).

    python -m tests.actionplans.import_probe page|command FILE

Prints one line of JSON: {"seconds", "cpu_seconds", "peak_mb", "status", "answer"}. The
page is posted by a coordinator through the test client, the command is
`import_plan --dry-run`; both on an SQLite database in memory whose tables are made
without migrations (a second). `seconds` (wall clock) and `cpu_seconds` time the import
alone; `peak_mb` is the process's peak resident memory, Django's start included.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
import zipfile

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
        '" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Plan" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'
    ),
}


def numbers_workbook(rows: int, columns: int) -> bytes:
    """A workbook of `rows` × `columns` cells holding 1, written as a generator writes it:
    no <dimension>, no cell references, no styles. 20,000 × 100 is 127 KB, 30 MB unpacked."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><sheetData>' + row * rows + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _peak_mb() -> int:
    """The peak resident memory of this process's own address space (VmHWM). Not
    getrusage's ru_maxrss: Linux keeps that across fork and exec, so a probe started
    by a large test process (an xdist worker at 368 MB) reported the parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(kind: str, path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "pim_tracker.settings"
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client

    # The tables as the models are, without running every migration.
    settings.MIGRATION_MODULES = {app.label: None for app in django.apps.apps.get_app_configs()}
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", run_syncdb=True, verbosity=0)

    if kind == "page":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("coordinator", is_superuser=True)
        client = Client()
        client.force_login(user)
        with open(path, "rb") as file:
            upload = SimpleUploadedFile("plan.xlsx", file.read())
        started, cpu = time.perf_counter(), _cpu_seconds()
        response = client.post(
            "/plans/import/", {"step": "upload", "file": upload, "visibility": "members"}
        )
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        status, answer = response.status_code, response.content.decode()
    else:
        out, err = io.StringIO(), io.StringIO()
        started, cpu = time.perf_counter(), _cpu_seconds()
        try:
            call_command("import_plan", path, "--dry-run", title="Probe", stdout=out, stderr=err)
            status, answer = 0, out.getvalue()
        except CommandError as error:
            status, answer = 1, str(error)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "peak_mb": _peak_mb(),
                "status": status,
                "answer": answer,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
