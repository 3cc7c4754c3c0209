"""`povmon`: the command line. Thin: it generates sample feeds, or runs the one Dagster
job of pipelines/definitions.py in-process, or queries the published marts."""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import sys
import time
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from pipelines.core.settings import ENGINES, Settings

EXAMPLE_QUERY = (
    "SELECT year, area_name, poor_persons, incidence_pct, meets_exit_threshold "
    "FROM marts.poverty_incidence WHERE area_level = 'county' ORDER BY year, area_code"
)


EXAMPLE_DUCKDB_QUERY = "SELECT * FROM marts.program_coverage WHERE area_level = 'province' LIMIT 8"


def _parse_years(text: str) -> tuple[int, ...]:
    first, _, last = text.partition("-")
    try:
        years = tuple(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YEAR or FIRST-LAST, got {text!r}") from None
    if not years or not all(2016 <= y <= 2020 for y in years):
        raise argparse.ArgumentTypeError("years must lie within 2016-2020")
    return years


def _peak_memory_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cmd_generate(args: argparse.Namespace) -> int:
    from sample_feeds.generator import generate

    started = time.monotonic()
    out = generate(args.out, persons=args.persons, seed=args.seed, years=args.years,
                   defect_rate=args.defect_rate, workers=args.workers)  # fmt: skip
    peak = max(_peak_memory_mib(), _peak_memory_mib(resource.RUSAGE_CHILDREN))
    print(f"wrote feeds for {args.persons:,} registered persons to {out} "
          f"in {time.monotonic() - started:.1f} s, peak memory {peak:,.0f} MiB per process; "
          f"ground truth in {out / '_truth'}")  # fmt: skip
    return 0


def run_settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with what the command line says instead (the folders
    and --demo, where the command has them)."""
    from dataclasses import replace

    settings = Settings.from_env()
    folders = {name: value.resolve() for name, option in (
        ("raw_dir", "raw"), ("marts_dir", "marts"), ("warehouse_path", "warehouse"))
        if (value := getattr(args, option, None)) is not None}  # fmt: skip
    settings = replace(settings, **folders)
    if getattr(args, "demo", False):
        settings = replace(settings, key=replace(settings.key, demo=True))
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.core.pseudonym import KEY_VARIABLE, MissingPseudonymKey, pseudonym_key

    settings = run_settings(args)
    if args.demo and not settings.key.given:
        print(f"demo: {KEY_VARIABLE} is not set, so person_key uses the PUBLIC development "
              "key; fine for sample data, never for real records.", file=sys.stderr)  # fmt: skip
    try:
        key = pseudonym_key(settings.key)
    except MissingPseudonymKey as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not settings.raw_dir.is_dir():
        print(f"error: no deliveries folder {settings.raw_dir}; create feeds with "
              "`povmon generate --out DIR` or pass --raw DIR", file=sys.stderr)  # fmt: skip
        return 2
    import dagster as dg

    from pipelines.console import run_console
    from pipelines.core.pseudonym import NEW_KEY_TAG, PseudonymKeyChanged
    from pipelines.core.restricted import SharedRestrictedFolder, private_folder, refuse_shared
    from pipelines.core.run_lock import WarehouseBusy, warehouse_lock
    from pipelines.core.settings import RUN_DATE_TAG, night_of
    from pipelines.definitions import build_defs
    from pipelines.profiling import MemorySampler, profile_table, step_profile
    from pipelines.warehouse.assets import WAREHOUSE_OP

    try:
        if not args.allow_shared_warehouse:
            refuse_shared([settings.warehouse_path.parent, settings.worklists_dir])
        private_folder(settings.warehouse_path.parent)
        sampler = MemorySampler()
        with warehouse_lock(settings.warehouse_path), sampler if args.profile else nullcontext():
            if not args.new_pseudonym_key:
                _refuse_changed_key(settings, key)
            night = args.run_date or night_of({})
            started = time.monotonic()
            instance = (dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME")
                        else dg.DagsterInstance.ephemeral())
            log_path = settings.warehouse_path.parent / "logs" / f"run_{night.isoformat()}.log"
            print(f"povmon run, night {night.isoformat()}: {settings.raw_dir} -> "
                  f"{settings.marts_dir} (full log: {log_path})")
            job = build_defs(settings).resolve_job_def("nightly")
            build = {"engine": args.engine or "", "full_refresh": args.full_refresh}
            with run_console(log_path, args.log_level) as (loggers, logging_config):
                result = job.with_logger_defs(loggers).execute_in_process(
                    instance=instance,
                    tags={RUN_DATE_TAG: night.isoformat(),
                          **({NEW_KEY_TAG: "1"} if args.new_pseudonym_key else {})},
                    run_config={**logging_config, "ops": {WAREHOUSE_OP: {"config": build}}},
                    raise_on_error=False,
                )
            elapsed = time.monotonic() - started
    except (SharedRestrictedFolder, PseudonymKeyChanged) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except WarehouseBusy as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    checks = [e.asset_check_evaluation_data for e in result.all_events
              if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
    failed_checks = [c for c in checks if not c.passed]
    blocking = [c for c in failed_checks if c.severity == dg.AssetCheckSeverity.ERROR]
    if not result.success or blocking:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        reasons = [f"blocked by {c.check_name}: {c.description}" for c in blocking]
        published = any(e.is_step_success and e.step_key == "publish__published_marts"
                        for e in result.all_events)
        outcome = (f"the marts were published to {settings.marts_dir}, but the quality or the "
                   "indicator report was not written" if published else f"nothing was published, "
                   f"{settings.marts_dir} still holds the previous night's marts")  # fmt: skip
        print("\n".join(["", *reasons,
              f"run FAILED after {elapsed:.0f} s (failed steps: {', '.join(failed) or 'none'}); "
              f"{outcome}. See the errors above."]), file=sys.stderr)  # fmt: skip
        return 1
    print(_run_summary(settings, night, elapsed, checks))
    if args.profile:
        peak = max((mib for _, mib in sampler.samples), default=0.0)
        print("\nseconds and peak memory per step:\n"
              + profile_table(step_profile(instance, result.run_id, sampler), elapsed, peak))
    return 0


def _refuse_changed_key(settings: Settings, key: bytes) -> None:
    """Before anything runs: PseudonymKeyChanged when the warehouse was built with another
    key (the warehouse step refuses it too, for runs the schedule or the sensor starts)."""
    warehouse = settings.warehouse_path
    if not warehouse.is_file():
        return
    import duckdb

    from pipelines.core.duckdb_limits import duckdb_config
    from pipelines.core.pseudonym import refuse_changed_key

    config = duckdb_config(warehouse, settings.duckdb)
    with duckdb.connect(str(warehouse), read_only=True, config=config) as conn:
        refuse_changed_key(conn, key)


def _in_rows(cells: list[str], per_row: int = 3) -> list[str]:
    return ["  " + " · ".join(cells[i:i + per_row]) for i in range(0, len(cells), per_row)]


def _run_summary(settings: Settings, night: date, elapsed: float, checks: list) -> str:
    import duckdb

    from pipelines.core.rule_names import rule_name
    from pipelines.ingest.discover import unread_folders

    marts_dir = settings.marts_dir
    database = marts_dir / "warehouse.duckdb"
    with duckdb.connect(str(database), read_only=True) as conn:
        files = conn.sql(
            "select status, count(*), sum(rows_read), sum(rows_accepted), sum(rows_quarantined) "
            "from marts.ingest_reconciliation group by status order by status"
        ).fetchall()
        rules = conn.execute(
            "select rule_id, sum(flagged_records), sum(new_flags), sum(resolved_flags) "
            "from marts.quality_summary where run_date = ? group by rule_id order by rule_id",
            [night],
        ).fetchall()
        late, missing, outliers = conn.sql(
            "select (select count(*) from marts.delivery_timeliness where status = 'late'), "
            "(select count(*) from marts.delivery_timeliness where status = 'missing'), "
            "(select count(*) from marts.indicator_outliers where flagged)").fetchall()[0]
    lines = [f"\nrun succeeded in {elapsed:.0f} s, peak memory {_peak_memory_mib():,.0f} MiB "
             f"(dbt subprocess {_peak_memory_mib(resource.RUSAGE_CHILDREN):,.0f} MiB)",
             "files by status (rows read = accepted + quarantined):"]  # fmt: skip
    lines += [f"  {s:<20} {n:>5} files  {r:>12,} read  {a:>12,} accepted  {q:>9,} quarantined"
              for s, n, r, a, q in files]  # fmt: skip
    lines += [f"  warning: {notice.en}" for _, notice in unread_folders(settings.raw_dir)]
    warnings = [c for c in checks if not c.passed]
    lines += [f"checks: {len(checks) - len(warnings)} of {len(checks)} passed"]
    lines += [f"  warning: {c.description}" for c in warnings]
    lines += [
        f"marts: {database} (schema marts) and {marts_dir}/<mart>.parquet",
        f"documentation: {marts_dir / 'docs' / 'index.html'}; validation results: "
        f"{marts_dir / 'quality' / 'data_docs' / 'index.html'}",
        "quality flags (rule: flags, new/resolved since the previous run):",
        *_in_rows([f"{rule_name(r)}: {n:,} ({new:,}/{res:,})" for r, n, new, res in rules]),
        f"quality report: {marts_dir / 'quality' / 'index.html'}; county worklists and visit "
        "lists (入户核实清单; restricted, with ID numbers and names) beside the warehouse, under "
        "worklists/",
        f"indicator report: {marts_dir / 'report' / 'index.html'} ({late} late and {missing} "
        f"missing county deliveries, {outliers} flagged outliers)",
        "try:",
        f"  .venv/bin/povmon sql \"{EXAMPLE_QUERY}\"",
        f"  .venv/bin/duckdb -readonly {database} \"{EXAMPLE_DUCKDB_QUERY}\"",
    ]
    return "\n".join(lines)


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb


    database = (args.marts or Settings.from_env().marts_dir) / "warehouse.duckdb"
    if not database.exists():
        print(f"error: {database} does not exist yet; run `povmon run` first", file=sys.stderr)
        return 2
    with duckdb.connect(str(database), read_only=True) as conn:
        try:
            relation = conn.sql(args.query)
        except duckdb.Error as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if relation is None:
            return 0
        relation.show(max_rows=args.max_rows, max_width=200)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.publish.export import ExportError, export

    settings = Settings.from_env()
    database = (args.marts or settings.marts_dir) / "warehouse.duckdb"
    if not database.exists():
        print(f"error: {database} does not exist yet; run `povmon run` first", file=sys.stderr)
        return 2
    if (args.mart is None) == (args.query is None):
        print("error: name a mart (povmon export poverty_incidence --out pi.xlsx) or give "
              "--query \"SELECT …\", not both", file=sys.stderr)
        return 2
    try:
        rows = export(database, args.out, mart=args.mart, query=args.query, headers=args.headers,
                      limits=settings.duckdb)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {rows:,} rows to {args.out}")
    return 0


def cmd_reset_state(args: argparse.Namespace) -> int:
    from pipelines.core.run_lock import WarehouseBusy, warehouse_lock
    from pipelines.core.state import PARTS, reset_state

    settings = run_settings(args)
    try:
        with warehouse_lock(settings.warehouse_path):
            removed = reset_state(settings, args.parts or None)
    except WarehouseBusy as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    redone = {part.name: part.redone for part in PARTS}
    for name, count in removed.items():
        print(f"{name:<11} {count:>5} forgotten; the next run {redone[name]}")
    return 0


def cmd_suites(args: argparse.Namespace) -> int:
    from pipelines.validation.suites import suite_files

    args.out.mkdir(parents=True, exist_ok=True)
    files = suite_files()
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} Great Expectations suites to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="povmon",
        description="Poverty-monitoring warehouse: department feeds -> validated DuckDB "
        "warehouse -> dbt marts (poverty incidence, reconciliation, ...).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write synthetic feeds of every department")
    gen.add_argument("--persons", type=int, default=20_000, help="registered persons (N)")
    gen.add_argument("--seed", type=int, default=1, help="same seed, same files")
    gen.add_argument("--out", type=Path, default=Path("data/raw"), help="deliveries folder")
    gen.add_argument("--years", type=_parse_years, default=(2016, 2017, 2018, 2019, 2020),
                     help="snapshot years, e.g. 2016-2020 (default) or 2020")
    gen.add_argument("--defect-rate", type=float, default=0.002,
                     help="share of records per defect kind (quarantine cases, R01-R17)")
    gen.add_argument("--workers", type=int, help="counties generated at once (default: one "
                     "per core); the files are the same for any number")
    gen.set_defaults(func=cmd_generate)

    run = commands.add_parser("run", help="ingest, validate, build and publish the marts")
    run.add_argument("--raw", type=Path, help="deliveries folder (default data/raw)")
    run.add_argument("--marts", type=Path, help="published marts folder (default data/marts)")
    run.add_argument("--warehouse", type=Path,
                     help="restricted store (default data/warehouse/warehouse.duckdb)")
    run.add_argument("--run-date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                     help="the night the quality flags belong to (default: today, Beijing time); "
                     "running the same night again replaces its flags")
    run.add_argument("--demo", action="store_true",
                     help="sample data: without POVMON_PSEUDONYM_KEY, use the public "
                     "development key for person_key (a real run refuses to publish without one)")
    run.add_argument("--allow-shared-warehouse", action="store_true",
                     help="write into a restricted folder (the warehouse's, or its worklists/) "
                     "that other accounts can read; refused otherwise, since it holds ID numbers")
    run.add_argument("--engine", choices=ENGINES,
                     help="where the dbt models run: duckdb (default) or spark (Apache Spark, "
                     "local[2] unless POVMON_SPARK_MASTER names a cluster; see "
                     "docs/scaling-out.md); default $POVMON_ENGINE")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild every year of the year-incremental models and every model, "
                     "even when nothing they read changed")
    run.add_argument("--new-pseudonym-key", action="store_true",
                     help="accept a POVMON_PSEUDONYM_KEY other than the one the warehouse was "
                     "built with (refused otherwise): every person_key changes, and flag "
                     "continuity restarts tonight (the report and quality_summary say so)")
    run.add_argument("--profile", action="store_true",
                     help="after the summary, print seconds and peak memory of every step")
    run.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING"],
                     help="also print Dagster's own log at this level (by default the console "
                     "shows one line per step; the full log is in the run's log file)")
    run.set_defaults(func=cmd_run)

    suites = commands.add_parser("suites", help="write the GX suites generated from the feed "
                                 "contract (the files under expectations/)")
    suites.add_argument("--out", type=Path, default=Path("expectations"))
    suites.set_defaults(func=cmd_suites)

    reset = commands.add_parser(
        "reset-state", help="forget what tells the next run its work is already done (every "
        "part, or those named): it then re-reads, re-validates and rebuilds everything")
    reset.add_argument("parts", nargs="*", metavar="PART",
                       help="ingest, validation, warehouse, spark, docs, worklists (default: all)")
    reset.add_argument("--warehouse", type=Path,
                       help="restricted store (default data/warehouse/warehouse.duckdb)")
    reset.add_argument("--marts", type=Path, help="published marts folder (default data/marts)")
    reset.set_defaults(func=cmd_reset_state)

    sql = commands.add_parser("sql", help="query the published marts (read-only)")
    sql.add_argument("query", help="SQL, e.g. \"SELECT * FROM marts.poverty_incidence\"")
    sql.add_argument("--marts", type=Path, help="published marts folder (default data/marts)")
    sql.add_argument("--max-rows", type=int, default=40)
    sql.set_defaults(func=cmd_sql)

    export = commands.add_parser("export", help="a mart or a query as XLSX (Excel, WPS, Stata) "
                                 "or CSV (UTF-8 with BOM), Chinese headers and labels")
    export.add_argument("mart", nargs="?", help="a mart of schema marts, e.g. poverty_incidence")
    export.add_argument("--query", help="instead of a mart: SQL on the published marts")
    export.add_argument("--out", type=Path, required=True, help="FILE.xlsx or FILE.csv")
    export.add_argument("--headers", choices=["zh", "names"], default="zh",
                        help="zh: the columns' Chinese names (default); names: the column "
                        "names, as R and Stata take them for variable names")
    export.add_argument("--marts", type=Path, help="published marts folder (default data/marts)")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def entry() -> None:
    """The `povmon` executable: main(), then exit without tearing the interpreter down.

    After GX has used DuckDB, Python's module teardown frees duckdb's module globals after
    the nanobind internals of its bindings, and nanobind prints hundreds of "leaked ..."
    lines as the last thing a user sees. Nothing leaks (the process is ending), so the exit
    handlers run and the process ends without that teardown.
    """
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
