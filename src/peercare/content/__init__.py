"""The curriculum's content files, their models and ``peercare check-content``.

Every YAML file (question banks, scenarios, instruments, plans, the fidelity checklist,
the support and crisis-help lists, the cast) is read one way, :func:`schema.load`;
``check`` measures the book's pages (reading grade, safe language, item-writing rules)."""
