from odoo import models

from .helpdesk_ticket_access import has_private_flag

# the private flag under which a report asks wkhtmltopdf for a short JavaScript delay
SHORT_PRINT_DELAY_FLAG = "response_support_short_print_delay"
# wkhtmltopdf's own default (ms): the reports that raise the flag run no script
# that needs Odoo's 1,000 ms (report.print_delay), which wkhtmltopdf waits for the
# body and again for the header and footer
SHORT_PRINT_DELAY = 200


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _build_wkhtmltopdf_args(
        self,
        paperformat_id,
        landscape,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """A short JavaScript delay for the reports rendered under the private
        flag ``SHORT_PRINT_DELAY_FLAG`` (the monthly SLA report: 2.8 s → 0.9 s
        per PDF, bench/RESULTS.md §11); a shorter ``report.print_delay`` wins."""
        args = super()._build_wkhtmltopdf_args(
            paperformat_id,
            landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )
        if has_private_flag(SHORT_PRINT_DELAY_FLAG) and "--javascript-delay" in args:
            at = args.index("--javascript-delay") + 1
            args[at] = str(min(int(args[at]), SHORT_PRINT_DELAY))
        return args
