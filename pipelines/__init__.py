"""povmon: the poverty-monitoring warehouse (feeds -> DuckDB warehouse -> dbt marts)."""

import warnings

# pyspark (the Spark engine; great_expectations imports it whenever it is installed) warns
# on import that pandas 3 is not fully supported; povmon calls no pandas API of pyspark.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                        category=FutureWarning)
