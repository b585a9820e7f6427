"""``make bench``: what every route costs (cold start, DynamoDB requests and units, scaling, throughput,
deployment size, importer). ``python -m bench --help``; the table's reading guide is docs/performance.md."""
