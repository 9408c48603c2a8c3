"""Writing the built site: into a staging tree beside the output, then swapped into place.

The output folder belongs to thoughtgen, which marks it with a manifest of the files it
wrote (with each file's key, digest, size and mtime). Files it did not write (a CNAME
dropped in by hand, a ``.git`` worktree) are carried over to the new output and never
deleted. A file whose key or bytes are unchanged is hard-linked from the previous output
rather than written again, so its mtime stays; when nothing changed at all, nothing is
written.

``produce`` decides and makes the outputs, ``tree`` stages them, ``swap`` exchanges the
staged tree with the live one, ``policy`` says where a build may write.
"""
