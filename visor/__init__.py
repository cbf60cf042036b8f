"""Composition root: settings read once, service wiring, the `visor` CLI and the demo.

The domain packages (`register`, `imaging`, `indexer`, `search`, `audits`, `api`,
`mappings`) never import from here; what they all share (the error hierarchy, the reader for
untrusted JSON, the escaping of user text) is in `foundation`, which imports nothing of
theirs.
"""
