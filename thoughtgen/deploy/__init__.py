"""Publishing: files a host needs to build and serve the site on schedule, and checks that
a deploy went live as planned."""
