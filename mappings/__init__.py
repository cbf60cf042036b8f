"""OpenSearch index settings, mappings, analyzers and vocabulary files, as JSON. No logic."""
