"""Voila as ``peercare serve`` runs it: stock Voila, with compressed responses.

An app page is about 5.4 MB of JavaScript and CSS. In a room every participant's phone
fetches it over the facilitator's Wi-Fi at once; gzip makes it about a quarter of that.
Voila applies its ``tornado_settings`` only after Tornado built its application, too late
for ``compress_response``, so it is set where the application is made.
"""

from __future__ import annotations

from voila.app import Voila


class PeercareVoila(Voila):
    def init_settings(self) -> dict:
        return {**super().init_settings(), "compress_response": True}


main = PeercareVoila.launch_instance

if __name__ == "__main__":
    main()
