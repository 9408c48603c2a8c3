"""The content calendar: is the writer keeping their promise to publish?

Computing (``periods``, ``report``, ``heatmap``, ``slots``) is pure: it works on the Site
model and takes "now" as a parameter. Presenting it (``text``, ``ics``, the HTML page) and
changing files (``schedule``) are separate modules.
"""
