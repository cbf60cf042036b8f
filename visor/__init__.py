"""Composition root: settings read once, service wiring, the `visor` CLI and the demo.

The domain packages (`register`, `imaging`, `indexer`, `search`, `api`, `mappings`) never
import from here except `visor.errors`, the small error hierarchy they all share.
"""
