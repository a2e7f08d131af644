"""The Report-a-problem window and its parts.

Import :class:`intake_app.ui.report.window.ReportWindow` from its module; this
package file stays empty so that the Qt-free ``draft_store`` imports no Qt.
"""
