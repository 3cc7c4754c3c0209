"""Synthetic deliveries of a whole province, with their ground truth, for the demo, the tests
and the benchmarks (`povmon generate`). Outside the runtime package: nothing in pipelines/
imports it."""
