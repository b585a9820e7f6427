"""Timeback PowerPath external tests (../shared/seeds/timeback-import-external-test-results.txt)."""
