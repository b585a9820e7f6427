#!/usr/bin/env python3
"""CDK entry point: builds the examdesk stack and synthesizes it into cdk.out. No AWS calls at synth."""

import os

# Node 20 prints an end-of-life banner from jsii on every synth; this silences it for Node 20 only.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from infra.application import build_app

# The CLI names the output directory in CDK_OUTDIR (``cdk synth -o``); run directly, it is cdk.out.
app, _ = build_app(outdir=os.environ.get("CDK_OUTDIR") or "cdk.out")
app.synth()
