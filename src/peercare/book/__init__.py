"""The static book: its build (``build``, ``jupyter_book_main``), its Sphinx
extension and lighter pages (``sphinxext``, ``bookwidgets``, ``pagefix``, ``icons``), the
widgets its chapters and the live apps show (``quiz``, ``widgets``, ``orgcheck``) and the
printed handouts."""
