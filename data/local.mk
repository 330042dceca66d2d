# data/: see the top-level Makefile.am.

# calendar: one-off and moved bank holidays (GOV.UK format + "replaces").
holidaysdir = $(pkgdatadir)/holidays
dist_holidays_DATA = data/holidays/one-off.json
