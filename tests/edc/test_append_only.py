"""History rows are append-only in PostgreSQL itself: UPDATE and DELETE refused by a
trigger on every django-simple-history table; saves still add history rows; TRUNCATE stays."""
import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, connection, transaction

from edc.append_only import TRIGGER, guarded_tables, historical_tables, install
from edc.audit import save_changed
from edc.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db

HISTORY = Participant.history.model._meta.db_table


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def test_every_history_table_carries_the_trigger():
    tables = historical_tables()
    assert len(tables) > 20 and HISTORY in tables
    assert set(tables) <= guarded_tables()


def test_saves_still_add_history_rows(site, clinician):
    p = factories.screen(site, clinician, initials="AB")
    p.initials = "CD"
    assert save_changed(p, clinician, "typo in the initials") == ["initials"]
    assert [h.initials for h in p.history.order_by("history_date")] == ["AB", "CD"]


@pytest.mark.parametrize("statement", [
    f"UPDATE {HISTORY} SET initials = 'XX' WHERE id = %s",
    f"UPDATE {HISTORY} SET history_change_reason = 'rewritten' WHERE id = %s",
    f"DELETE FROM {HISTORY} WHERE id = %s",
])
def test_raw_sql_cannot_change_or_remove_a_history_row(site, clinician, statement):
    p = factories.screen(site, clinician, initials="AB")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql(statement, [p.pk])
    row = p.history.get()
    assert row.initials == "AB" and row.history_change_reason == "Created"


def test_the_orm_cannot_either(site, clinician):
    p = factories.screen(site, clinician)
    with pytest.raises(IntegrityError), transaction.atomic():
        p.history.all().update(initials="XX")
    with pytest.raises(IntegrityError), transaction.atomic():
        p.history.all().delete()
    assert p.history.count() == 1


def test_tables_added_later_are_guarded_after_migrate_idempotently():
    sql("CREATE TABLE edc_historicalprobe (history_id serial PRIMARY KEY, note text)")
    assert install(["edc_historicalprobe", "no_such_table"]) == ["edc_historicalprobe"]
    assert install(["edc_historicalprobe"]) == []  # once is enough
    sql("INSERT INTO edc_historicalprobe (note) VALUES ('first')")
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE edc_historicalprobe SET note = 'changed'")
    sql("TRUNCATE edc_historicalprobe")  # allowed: the test database is flushed this way


def test_post_migrate_puts_a_missing_trigger_back():
    sql(f"DROP TRIGGER {TRIGGER} ON {HISTORY}")
    assert HISTORY not in guarded_tables()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert HISTORY in guarded_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
                       [TRIGGER, HISTORY])
        assert cursor.fetchone()[0] == 1
