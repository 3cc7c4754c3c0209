"""What is not a delivery, though it lies in a delivery folder's place: a symbolic link
that leaves the deliveries folder, and a folder dated too far after the night being run.

Both are refused before a byte of them is read. A link is refused because deliveries are
what the departments put inside ``data/raw``: following a link out of it would read any
file of the server the pipeline's account can read (``/etc/passwd`` as a registry), and
staging a folder elsewhere would make anybody who can create a link a department. A
link that stays inside ``data/raw`` is followed. A delivery from the future (2099-01-01,
a typo or a clock error) would put its year into every mart; it is loaded on the night it
is due, if it is still there.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pipelines.ingest.discover import Delivery
from pipelines.ingest.notices import Notice

DAYS_AHEAD_ALLOWED = 7  # a delivery dated later than the night plus this is not due yet


def leaves(path: Path, raw_dir: Path) -> bool:
    """Whether ``path``, its links followed, lies outside the deliveries folder."""
    return not path.resolve().is_relative_to(raw_dir.resolve())


def outside_link(delivery: Delivery, raw_dir: Path) -> tuple[Path, Notice] | None:
    """The link of ``delivery`` that leaves ``raw_dir`` (its folder, or one of its files)
    and why it is refused; None when nothing of it leaves."""
    if leaves(delivery.folder, raw_dir):
        return delivery.folder, Notice(
            f"{delivery.name}: the delivery folder is a symbolic link to "
            f"{delivery.folder.resolve()}, outside the deliveries folder {raw_dir}; not read. "
            "Put the files themselves (not a link) into the folder",
            f"{delivery.name}：报送文件夹是指向数据目录以外的符号链接，不予读取；"
            "请把数据文件本身（而不是链接）放入报送文件夹后重新报送")  # fmt: skip
    for path in delivery.files:
        if leaves(path, raw_dir):
            return path, Notice(
                f"{path.name}: a symbolic link to {path.resolve()}, outside the deliveries "
                f"folder {raw_dir}; not read, and the delivery is rejected. Put the file "
                "itself (not a link) into the folder",
                f"{delivery.name_of(path)}：是指向数据目录以外的符号链接，不予读取，整批数据已拒收；"
                "请把文件本身（而不是链接）放入报送文件夹后重新报送")  # fmt: skip
    return None


def due_date(delivery: Delivery) -> date:
    """The first night on which a delivery of this date is loaded."""
    return delivery.day - timedelta(days=DAYS_AHEAD_ALLOWED)


def not_due(delivery: Delivery, night: date) -> Notice | None:
    """Why a delivery dated more than DAYS_AHEAD_ALLOWED days after ``night`` waits."""
    if delivery.day <= night + timedelta(days=DAYS_AHEAD_ALLOWED):
        return None
    due = due_date(delivery)
    return Notice(
        f"{delivery.name}: dated {delivery.day}, more than {DAYS_AHEAD_ALLOWED} days after the "
        f"night being run ({night}): a typo in the folder name or a wrong clock? Not loaded; "
        f"if it is still there it is loaded on the night of {due}. Rename the folder if its "
        "date is wrong",
        f"{delivery.name}：报送日期 {delivery.day} 比本次运行日期 {night} 晚 {DAYS_AHEAD_ALLOWED} 天以上"
        f"（文件夹日期写错或电脑时钟有误？），本次不入库；若届时仍在，将于 {due} 的夜间运行入库；"
        "如日期有误，请改正文件夹名")  # fmt: skip
