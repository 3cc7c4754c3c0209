"""The console of `povmon run` (pipelines/console.py) without a run: what a terminal and
what a log file get from dbt's lines and the steps' counts."""

import io

from pipelines.console import PlainFile, StepLines, plain, step_label, step_summary


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_dbt_lines_go_to_the_log_without_colour_and_show_as_the_live_line_on_a_terminal():
    log, terminal = io.StringIO(), Terminal()
    stream = PlainFile(log, StepLines(terminal, live=True))
    stream.write("37 of 152 OK created sql table model marts.poverty_incidence ...... "
                 "[\x1b[32mOK\x1b[0m in 0.34s]\n")
    stream.write("38 of 152 START sql table model marts.program_coverage ...... [RUN]\n")
    assert log.getvalue() == (
        "37 of 152 OK created sql table model marts.poverty_incidence ...... [OK in 0.34s]\n"
        "38 of 152 START sql table model marts.program_coverage ...... [RUN]\n")
    assert terminal.getvalue() == (
        "\r\x1b[K  … dbt: 37 of 152 · OK created sql table model marts.poverty_incidence")


def test_no_live_line_when_the_output_is_no_terminal():
    out = io.StringIO()
    PlainFile(io.StringIO(), StepLines(out, live=False)).write("1 of 2 OK created x ... [OK]\n")
    assert out.getvalue() == ""


def test_step_lines_name_the_step_and_its_counts():
    assert step_label("raw__registry") == "ingest: registry"
    assert step_label("warehouse_models") == "dbt build"
    assert step_summary({"deliveries_loaded": 10, "deliveries_unchanged": 2,
                         "deliveries_rejected": 1, "deliveries_incomplete": 0,
                         "rows_read": 120_345, "rows_quarantined": 45}, (0, 0), 1) == (
        "deliveries 10 loaded, 2 unchanged, 1 rejected; rows 120,345 read, 45 quarantined")
    assert step_summary({}, (86, 0), 71) == "71 models and seeds built, tests 86 passed"
    assert plain("\x1b[32mOK\x1b[0m") == "OK"
