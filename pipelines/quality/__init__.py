"""The morning quality report: county worklists (restricted) and the HTML report (published)."""
