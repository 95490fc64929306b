"""Back up, restore and verify the EDC's PostgreSQL database (docs/DEPLOYMENT.md, "Backup and restore").

    backup_restore.py backup  --out FILE [--url URL] [--exports-dir DIR]
    backup_restore.py restore --from FILE --to-database NAME [--url URL] [--no-owner] [--no-verify]
    backup_restore.py verify  --a URL|MANIFEST --b URL|MANIFEST [--only-differences]
    backup_restore.py drill   [--url URL] [--restore-url URL] [--scratch-prefix P] [--workdir DIR] [--keep]
    backup_restore.py check-exports --manifest FILE [--exports-dir DIR]

URL defaults to $DATABASE_URL (postgres://user[:password]@host[:port]/database; a Unix-socket directory
goes percent-encoded in the host, as scripts/services.py writes it for the embedded server).

`backup` runs `pg_dump -Fc` inside an exported snapshot and, from that same snapshot, writes
FILE.manifest.json: per table of the public schema its row count and an order-independent checksum of
every row, the sequences exactly as the dump holds them, the dump's SHA-256, and a listing (size,
SHA-256) of the exports directory. The manifest is therefore exact even for a database in use.
`restore` creates a NEW database (it never overwrites one), runs `pg_restore` in one transaction and
then proves the result against the manifest. `verify` compares two databases (or a database and a
manifest) and exits 1 naming every table or sequence that differs. `drill` = backup, restore into a
fresh scratch database, verify, report the timings, drop the scratch database.

pg_dump and pg_restore of the server's major version are used (pg_dump refuses a newer server, and a
newer pg_restore may emit settings an older server does not know): $PG_BIN_DIR if set, the binaries
inside the pgserver package (the embedded PostgreSQL 16 of scripts/services.py), /usr/lib/postgresql/
<major>/bin, or the ones on PATH. Exit status: 0 identical / done, 1 differences, 2 usage or
operational error. Standard library and psycopg2 only; no Django.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_SUFFIX = ".manifest.json"
# The same text for the same row on every server: fixed time zone and output styles.
SESSION_OPTIONS = ("-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1 "
                   "-c bytea_output=hex")


class Failure(Exception):
    """An operational error: reported in one line, exit status 2."""


def say(message: str = "") -> None:
    print(message, flush=True)


# --- URLs and connections ---

def default_url(url: str | None) -> str:
    url = url or os.environ.get("DATABASE_URL")
    if not url:
        raise Failure("no database: give --url or set DATABASE_URL")
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(name, safe=""), parts.query, ""))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def without_password(url: str) -> tuple[str, str | None]:
    """(the URL without its password, the password) — the password goes to libpq by PGPASSWORD,
    never on a command line that `ps` shows."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    netloc = userinfo.split(":", 1)[0] + "@" + host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), unquote(parts.password)


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return without_password(url)[0].replace("@", ":***@", 1)


def connect(url: str, *, autocommit: bool = False):
    try:
        conn = psycopg2.connect(url, options=SESSION_OPTIONS)
    except psycopg2.OperationalError as error:
        raise Failure(f"cannot connect to {redact(url)}: {str(error).strip()}") from None
    conn.autocommit = autocommit
    return conn


# --- Binaries of the server's major version ---

def _major_of(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"\)\s+(\d+)", out) or re.search(r"(\d+)\.\d+", out)
    return int(match.group(1)) if match else None


def _candidate_dirs(major: int) -> list[Path]:
    dirs = []
    if os.environ.get("PG_BIN_DIR"):
        dirs.append(Path(os.environ["PG_BIN_DIR"]))
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.origin:
        dirs.append(Path(spec.origin).parent / "pginstall" / "bin")
    dirs.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    return dirs


def bin_dir(major: int) -> Path:
    """The directory of pg_dump/pg_restore for a server of this major version."""
    found: dict[int, Path] = {}
    for d in _candidate_dirs(major):
        if (d / "pg_dump").exists() and (d / "pg_restore").exists():
            m = _major_of(d / "pg_dump")
            if m is not None:
                found.setdefault(m, d)
    if major in found:
        return found[major]
    newer = sorted(m for m in found if m > major)
    if newer:
        say(f"warning: no pg_dump {major} found; using {newer[0]} from {found[newer[0]]}")
        return found[newer[0]]
    listed = ", ".join(f"{m} in {d}" for m, d in sorted(found.items())) or "none"
    raise Failure(f"no pg_dump/pg_restore for PostgreSQL {major} (found: {listed}); set PG_BIN_DIR")


def run_pg(binary: Path, args: list[str], url: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if url is not None:
        url, password = without_password(url)
        args = [*args, f"--dbname={url}"]
        if password is not None:
            env["PGPASSWORD"] = password
    result = subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise Failure(f"{binary.name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result


# --- Checksums ---

def _names(cur, kinds: tuple[str, ...]) -> list[str]:
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = ANY(%s) ORDER BY c.relname", (list(kinds),))
    return [row[0] for row in cur.fetchall()]


def table_checksums(conn) -> dict[str, dict]:
    """Per table: rows, md5 over the sorted md5 of every row's text, and the column list's md5."""
    tables = {}
    with conn.cursor() as cur:
        for name in _names(cur, ("r", "p")):
            ident = sql.Identifier("public", name)
            cur.execute(sql.SQL("SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) "
                                "FROM (SELECT md5(t::text) AS h FROM {} t) s").format(ident))
            rows, digest = cur.fetchone()
            cur.execute("SELECT md5(string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' "
                        "ORDER BY attnum)) FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                        "AND NOT attisdropped", (sql.Identifier("public", name).as_string(conn),))
            tables[name] = {"rows": rows, "md5": digest, "columns": cur.fetchone()[0]}
    return tables


def live_sequences(conn) -> dict[str, list]:
    values = {}
    with conn.cursor() as cur:
        for name in _names(cur, ("S",)):
            cur.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier("public", name)))
            last_value, is_called = cur.fetchone()
            values[name] = [int(last_value), bool(is_called)]
    return values


SETVAL = re.compile(r"setval\('public\.(\"(?:[^\"]|\"\")+\"|[^']+)', (-?\d+), (true|false)\)")


def dump_sequences(bins: Path, dump: Path, workdir: Path) -> dict[str, list]:
    """The sequence values exactly as the dump will restore them (its SEQUENCE SET entries)."""
    listing = run_pg(bins / "pg_restore", ["-l", str(dump)]).stdout
    wanted = [line for line in listing.splitlines() if " SEQUENCE SET public " in line]
    values: dict[str, list] = {}
    if not wanted:
        return values
    list_file = workdir / "sequences.list"
    list_file.write_text("\n".join(wanted) + "\n")
    script = run_pg(bins / "pg_restore", ["-L", str(list_file), "-f", "-", str(dump)]).stdout
    for name, value, called in SETVAL.findall(script):
        if name.startswith('"'):
            name = name[1:-1].replace('""', '"')
        values[name] = [int(value), called == "true"]
    return values


def snapshot_of(source) -> dict:
    """Tables and sequences of a side: a live database (URL) or a backup manifest (file)."""
    if Path(source).is_file():
        manifest = json.loads(Path(source).read_text())
        return {"label": f"manifest {source}", "tables": manifest["tables"], "sequences": manifest["sequences"]}
    conn = connect(source)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        return {"label": redact(source), "tables": table_checksums(conn), "sequences": live_sequences(conn)}
    finally:
        conn.close()


# --- Comparison ---

def _sequence_value(value: list | None) -> str:
    """last_value, with * when nextval has not been called yet (the next value is last_value itself)."""
    return "-" if value is None else f"{value[0]}{'' if value[1] else '*'}"


def compare(a: dict, b: dict, *, only_differences: bool = False) -> list[str]:
    """Print the comparison table; return the names that differ."""
    differ = []
    say(f"A: {a['label']}\nB: {b['label']}")
    width = max([len(n) for n in {**a["tables"], **b["tables"], **a["sequences"], **b["sequences"]}] + [5])
    say(f"{'table':<{width}}  {'rows A':>9}  {'rows B':>9}  result")
    for name in sorted(set(a["tables"]) | set(b["tables"])):
        ta, tb = a["tables"].get(name), b["tables"].get(name)
        if ta is None or tb is None:
            result = "MISSING IN " + ("A" if ta is None else "B")
        elif ta["columns"] != tb["columns"]:
            result = "COLUMNS DIFFER"
        elif ta["rows"] != tb["rows"]:
            result = "ROW COUNT DIFFERS"
        elif ta["md5"] != tb["md5"]:
            result = "CONTENT DIFFERS"
        else:
            result = "ok"
        if result != "ok":
            differ.append(name)
        if result != "ok" or not only_differences:
            rows_a = "-" if ta is None else ta["rows"]
            rows_b = "-" if tb is None else tb["rows"]
            say(f"{name:<{width}}  {rows_a:>9}  {rows_b:>9}  {result}")
    say(f"{'sequence':<{width}}  {'last A':>9}  {'last B':>9}  result")
    for name in sorted(set(a["sequences"]) | set(b["sequences"])):
        sa, sb = a["sequences"].get(name), b["sequences"].get(name)
        result = "ok" if sa == sb else ("MISSING IN " + ("A" if sa is None else "B") if None in (sa, sb)
                                        else "VALUE DIFFERS")
        if result != "ok":
            differ.append(name)
        if result != "ok" or not only_differences:
            say(f"{name:<{width}}  {_sequence_value(sa):>9}  {_sequence_value(sb):>9}  {result}")
    tables, rows = len(a["tables"]), sum(t["rows"] for t in a["tables"].values())
    if differ:
        say(f"DIFFERENT: {', '.join(differ)}")
    else:
        say(f"IDENTICAL: {tables} tables, {rows} rows, {len(a['sequences'])} sequences")
    return differ


# --- Exports directory ---

def default_exports_dir() -> Path:
    return Path(os.environ.get("EDC_EXPORT_DIR", str(ROOT / "var" / "exports")))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def exports_listing(directory: Path) -> list[dict]:
    if not directory.is_dir():
        return []
    return [{"name": str(p.relative_to(directory)), "size": p.stat().st_size, "sha256": sha256_of(p)}
            for p in sorted(directory.rglob("*")) if p.is_file()]


# --- Subcommands ---

def backup(url: str, out: Path, exports_dir: Path) -> dict:
    """Dump `url` to `out` and write `out`.manifest.json from the same snapshot. Returns the manifest."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    started = time.monotonic()
    conn = connect(url)
    try:
        bins = bin_dir(conn.server_version // 10000)
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cur.fetchone()
        run_pg(bins / "pg_dump", ["-Fc", "--snapshot", snapshot, "-f", str(partial)], url)
        tables = table_checksums(conn)  # the same snapshot as the dump
        with tempfile.TemporaryDirectory() as work:
            sequences = dump_sequences(bins, partial, Path(work))
    except BaseException:
        partial.unlink(missing_ok=True)  # never leave half a dump that looks like one
        raise
    finally:
        conn.close()
    partial.replace(out)
    manifest = {
        "format": 1, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": redact(url), "server_version": server_version,
        "pg_dump": run_pg(bins / "pg_dump", ["--version"]).stdout.strip(),
        "dump_file": out.name, "dump_size": out.stat().st_size, "dump_sha256": sha256_of(out),
        "tables": tables, "sequences": sequences,
        "exports": {"dir": str(exports_dir), "files": exports_listing(exports_dir)},
        "seconds": round(time.monotonic() - started, 1),
    }
    manifest_path = out.with_name(out.name + MANIFEST_SUFFIX)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    say(f"backup: {out} ({manifest['dump_size']} bytes, sha256 {manifest['dump_sha256'][:16]}…) from "
        f"{redact(url)} (PostgreSQL {server_version}, {manifest['pg_dump']}) in {manifest['seconds']} s")
    say(f"manifest: {manifest_path} ({len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, "
        f"{len(sequences)} sequences, {len(manifest['exports']['files'])} export files listed)")
    return manifest


def restore(url: str, dump: Path, name: str, *, no_owner: bool = False, check: bool = True) -> bool:
    """Restore `dump` into the new database `name` on the server of `url`; True when it matches the
    dump's manifest (or there is none to check)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise Failure(f"database name {name!r}: letters, digits and _ only, at most 63, not starting with a digit")
    if not dump.is_file():
        raise Failure(f"no such dump file: {dump}")
    manifest_path = dump.with_name(dump.name + MANIFEST_SUFFIX)
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else None
    if manifest and sha256_of(dump) != manifest["dump_sha256"]:
        raise Failure(f"{dump} does not match the SHA-256 in {manifest_path}: damaged or not that backup")
    admin = connect(url, autocommit=True)
    try:
        bins = bin_dir(admin.server_version // 10000)
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone():
                raise Failure(f"database {name} exists: restore never overwrites; drop it or choose another name")
            cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    finally:
        admin.close()
    target = with_database(url, name)
    started = time.monotonic()
    args = ["--exit-on-error", "--single-transaction"] + (["--no-owner", "--no-acl"] if no_owner else [])
    try:
        run_pg(bins / "pg_restore", [*args, str(dump)], target)
    except Failure:
        drop_database(url, name)
        raise
    conn = connect(target, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("ANALYZE")  # pg_restore leaves the planner without statistics
    finally:
        conn.close()
    say(f"restore: {dump.name} into {name} in {time.monotonic() - started:.1f} s")
    if not (check and manifest):
        return True
    return not compare({"label": f"manifest {manifest_path}", **manifest}, snapshot_of(target),
                       only_differences=True)


def drop_database(url: str, name: str) -> None:
    conn = connect(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


def drill(url: str, restore_url: str, prefix: str, workdir: Path | None, keep: bool, exports_dir: Path) -> bool:
    scratch = f"{prefix}{datetime.now(UTC):%Y%m%d%H%M%S}_{os.getpid()}"[:63]
    temporary = workdir is None
    work = Path(tempfile.mkdtemp(prefix="edc-drill-")) if temporary else workdir
    dump = work / f"{database_name(url)}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dump"
    started = time.monotonic()
    try:
        manifest = backup(url, dump, exports_dir)
        restore_started = time.monotonic()
        ok = restore(restore_url, dump, scratch, check=False)
        restore_seconds = time.monotonic() - restore_started
        verify_started = time.monotonic()
        ok = ok and not compare({"label": "the backup's snapshot", **manifest}, snapshot_of(with_database(
            restore_url, scratch)))
        verify_seconds = time.monotonic() - verify_started
    finally:
        if not keep:
            drop_database(restore_url, scratch)
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    say(f"DRILL {'PASSED' if ok else 'FAILED'}: backup {manifest['seconds']} s "
        f"({manifest['dump_size']} bytes), restore {restore_seconds:.1f} s, verify {verify_seconds:.1f} s, "
        f"total {time.monotonic() - started:.1f} s; scratch database {scratch} "
        f"{'kept' if keep else 'dropped'}")
    return ok


def check_exports(manifest_path: Path, directory: Path) -> bool:
    manifest = json.loads(manifest_path.read_text())
    now = {f["name"]: f for f in exports_listing(directory)}
    bad = 0
    for f in manifest["exports"]["files"]:
        got = now.get(f["name"])
        state = "MISSING" if got is None else ("ok" if got["sha256"] == f["sha256"] else "SHA-256 DIFFERS")
        bad += state != "ok"
        say(f"{state:<16} {f['name']}")
    say(f"{len(manifest['exports']['files']) - bad} of {len(manifest['exports']['files'])} export files "
        f"present and identical in {directory}")
    return bad == 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("backup", help="pg_dump -Fc to FILE plus FILE.manifest.json")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--url")
    p.add_argument("--exports-dir", type=Path, default=None)
    p = sub.add_parser("restore", help="restore FILE into a new database and check it against the manifest")
    p.add_argument("--from", dest="dump", required=True, type=Path)
    p.add_argument("--to-database", required=True)
    p.add_argument("--url", help="any database on the target server (default: DATABASE_URL)")
    p.add_argument("--no-owner", action="store_true", help="restore without owners and grants (other roles)")
    p.add_argument("--no-verify", action="store_true")
    p = sub.add_parser("verify", help="compare two databases or a database and a manifest")
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--only-differences", action="store_true")
    p = sub.add_parser("drill", help="backup, restore into a scratch database, verify, report, drop it")
    p.add_argument("--url")
    p.add_argument("--restore-url", help="a database on the server to restore into (default: --url)")
    p.add_argument("--scratch-prefix", default="edc_drill_")
    p.add_argument("--workdir", type=Path)
    p.add_argument("--keep", action="store_true", help="keep the scratch database")
    p.add_argument("--exports-dir", type=Path, default=None)
    p = sub.add_parser("check-exports", help="check the exports directory against a manifest's listing")
    p.add_argument("--manifest", required=True, type=Path)
    p.add_argument("--exports-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(default_url(args.url), args.out, args.exports_dir or default_exports_dir())
            return 0
        if args.command == "restore":
            return 0 if restore(default_url(args.url), args.dump, args.to_database, no_owner=args.no_owner,
                                check=not args.no_verify) else 1
        if args.command == "verify":
            differ = compare(snapshot_of(args.a), snapshot_of(args.b), only_differences=args.only_differences)
            return 1 if differ else 0
        if args.command == "drill":
            url = default_url(args.url)
            return 0 if drill(url, args.restore_url or url, args.scratch_prefix, args.workdir, args.keep,
                              args.exports_dir or default_exports_dir()) else 1
        return 0 if check_exports(args.manifest, args.exports_dir or default_exports_dir()) else 1
    except Failure as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
