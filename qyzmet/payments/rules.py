"""What annex 1 of Order No. 61 (3 March 2021) says about the journal, the act and the payment (pure data).

Each figure is the act's; the money figures are not: the minimum wage is the budget law's of each year and
the PA rate is derived by the department (see models.MinimumWage, models.HourlyRate).
"""

from __future__ import annotations

from decimal import Decimal

from qyzmet.portal import rules as PR

PA = PR.PERSONAL_ASSISTANT
SL = PR.SIGN_LANGUAGE
SERVICES = PR.HOURLY

JOURNAL_CITE = "annex 1, cl. 40"  # the journal of rendered services in the supplier's cabinet
ACT_CITE = "annex 1, cl. 42; annex 8"  # the act formed from the journal, with the annex 9 / 10 sheet
PA_SHEET_CITE = "annex 9"
SL_SHEET_CITE = "annex 10"

# cl. 43: "қызмет көрсеткен нақты, бірақ күніне 8 сағаттан артық емес уақыты үшін" — actual time, not more than
# 8 hours a day.
PA_DAY_HOURS = Decimal("8")
PA_DAY_CITE = "annex 1, cl. 43"
PA_RATE_CITE = ("annex 1, cl. 43: the wage of a social-work specialist, Government Decree No. 1193 of "
                "31.12.2015, block “Other sectors”, B3, step 4, up to one year of experience")

# cl. 44: "сағатына ... ең төменгі жалақы мөлшерінің он бес пайызы, бірақ ... бір мүгедекке жылына алпыс
# сағаттан аспайтын" — per hour 15 % of the minimum wage, at most 60 hours a year per disabled person; "жылына
# алпыс сағаттан артық ... уақытын мүгедек өз қаражаты есебінен төлейді" — the time above, the person pays.
SL_RATE_SHARE = Decimal("15") / Decimal("100")
SL_RATE_CITE = "annex 1, cl. 44: 15 % of the minimum wage of the Republican Budget Law for the year"
SL_YEAR_HOURS = Decimal("60")
SL_YEAR_CITE = "annex 1, cl. 44; Law on social protection of persons with disabilities, art. 7 para 1 subpara 9-1)"

# cl. 45: "есепті кезеңнен кейінгі айдың 10-күнінен кешіктірмей" — not later than the 10th of the month after
# the reporting period; paid monthly on the act "тараптар қол қойған" (signed by the parties); payment for the
# actual time from the day the recipient received the supplier's notice of acceptance.
DUE_DAY = 10
DUE_CITE = "annex 1, cl. 45"
FROM_ACCEPTANCE_CITE = "annex 1, cl. 45"
