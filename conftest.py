"""Test-run settings for every collected test and notebook: the live-session store and any
demo data go to a throwaway folder, never the kit's real data folder."""

import os
import tempfile

os.environ.setdefault("PEERCARE_DATA_DIR", tempfile.mkdtemp(prefix="peercare-test-data-"))
