"""Developer tools, not shipped with the course package: benchmarks, the corpus harness,
example builders, the demo driver and the recorder of example results for the quick tests."""
