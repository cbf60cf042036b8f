"""Composition root: settings read once, service wiring, the `visor` CLI and the demo.

The domain packages (`register`, `imaging`, `indexer`, `search`, `api`, `mappings`) never
import from here except two leaf modules they all share: `visor.errors`, the small error
hierarchy, and `visor.untrusted_json`, the one reader for JSON from outside.
"""
