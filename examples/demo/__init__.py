"""The demo: a page that lists the headers it was served with and checks, live
in the browser, which protections hold. Run ``python examples/demo/serve.py``."""
