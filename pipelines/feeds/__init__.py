"""Feed contracts: the single declarative description of every raw feed."""

from pipelines.feeds.contract import FEEDS, TABLES, Column, Feed, Kind, Table

__all__ = ["FEEDS", "TABLES", "Column", "Feed", "Kind", "Table"]
