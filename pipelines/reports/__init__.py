"""Self-contained HTML reports: the page parts and inline SVG charts that the quality
report and the indicator report share."""
