"""Composition root: settings read once, service wiring, the `visor` CLI and the demo.

The domain packages (`register`, `imaging`, `indexer`, `search`, `api`, `mappings`) never
import from here except three leaf modules they all share: `visor.errors`, the small error
hierarchy; `visor.untrusted_json`, the one reader for JSON from outside; and
`visor.escapes`, the one way user text is shown.
"""
