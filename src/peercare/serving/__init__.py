"""Serving the kit: ``peercare serve`` (the built book and the Voila apps), Voila as
we run it, its kernels and warm pool, the router in front of several Voila servers,
``peercare deploy``, and the participant without a browser (``widget_client``)."""
