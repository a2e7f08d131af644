"""Qt-free diagnostics: the system snapshot, screenshots, image handling (SPEC §2, §9).

Nothing is imported here, so ``import intake_app.diagnostics`` stays free; import the
module you need:

* ``snapshot``      ``collect_snapshot(settings) -> Snapshot`` (``.document``, ``.text``, ``.to_json()``)
* ``settings``      the ``ProbeSettings`` shape diagnostics accepts (the config layer's object fits)
* ``capture``       ``capture_now()``, ``capture(target, before=, after=)``, ``capture_monitor``,
                    ``capture_region``, ``capture_all``, ``list_monitors`` -> in-memory ``Screenshot``
* ``geometry``      monitor/region maths (negative origins, HiDPI), pure functions
* ``encode``        ``encode_png``, ``encode_lossy``, ``encode_within``, ``thumbnail``
* ``redact``        ``redact(source, boxes)``: black boxes burned in before encoding
* ``images_in``     ``load_image_file``, ``load_image_bytes`` (clipboard), ``load_attachment_file``,
                    ``screenshot_attachment`` -> ``core.ticket.Attachment``
* ``budget``        ``fit_to_budget(attachments, budget)``
* ``errors``        ``CaptureError``, ``AttachmentError``, ``BudgetError`` (user-facing messages)

Probes live in ``probes_*``/``extra_probes``; per-OS facts in ``platform_linux``,
``platform_windows``, ``platform_macos`` (chosen by ``platform_facts.current()``).
"""
