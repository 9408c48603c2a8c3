"""The incremental machinery: why a page was, or was not, made again.

``cache`` keeps parsed sources between builds, ``fingerprints`` gives every output a key
derived from the model, and ``manifest`` records what the output folder holds.
"""
