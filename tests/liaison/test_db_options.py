"""PostgreSQL's JIT is off for the application's connections unless
LIAISON_DB_JIT=1 (issue 12); settings are read once, so each case runs in a
fresh process (tests/liaison/test_settings.py's helper)."""
from tests.liaison.test_settings import run

PRINT_OPTIONS = ["-c", "import django; django.setup(); from django.conf import settings; "
                       "print(repr(settings.DATABASES['default'].get('OPTIONS', {}).get('options')))"]
URL = "postgres://bench@127.0.0.1:5432/none"


def options(tmp_path, **env):
    result = run(PRINT_OPTIONS, tmp_path, DJANGO_SECRET_KEY="k" * 60, DATABASE_URL=URL, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_jit_is_off_for_postgresql_connections_by_default(tmp_path):
    assert options(tmp_path) == "'-c jit=off'"


def test_jit_is_left_to_the_server_with_the_setting(tmp_path):
    assert options(tmp_path, LIAISON_DB_JIT="1") == "None"


def test_a_bad_jit_value_names_the_variable(tmp_path):
    result = run(PRINT_OPTIONS, tmp_path, DJANGO_SECRET_KEY="k" * 60, DATABASE_URL=URL, LIAISON_DB_JIT="maybe")
    assert result.returncode != 0
    assert "LIAISON_DB_JIT" in result.stderr


PRINT_BINDING = ["-c", "import django; django.setup(); from django.conf import settings; "
                       "o = settings.DATABASES['default'].get('OPTIONS', {}); "
                       "print(o.get('server_side_binding'), o.get('prepare_threshold'))"]


def binding(tmp_path, url=URL, **env):
    result = run(PRINT_BINDING, tmp_path, DJANGO_SECRET_KEY="k" * 60, DATABASE_URL=url, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_statements_are_bound_by_the_server_and_prepared_on_their_second_run(tmp_path):
    assert binding(tmp_path) == "True 2"


def test_behind_a_pooler_nothing_is_prepared(tmp_path):
    """LIAISON_DB_PREPARE=0: client-side binding, psycopg's preparing off (Django's default)."""
    assert binding(tmp_path, LIAISON_DB_PREPARE="0") == "None None"


def test_sqlite_has_no_binding_options(tmp_path):
    assert binding(tmp_path, url=f"sqlite:///{tmp_path / 'x.sqlite3'}") == "None None"
