"""`python -m benchmarks` (make bench): quality on the labelled dev set and speed on a generated 50k pool."""
