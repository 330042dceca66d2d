# profiles/: the shipped policy profiles, installed for lookup by name.
profilesdir = $(pkgdatadir)/profiles
dist_profiles_DATA = \
	profiles/default.json \
	profiles/statutory-england.json \
	profiles/brighton-hove.json \
	profiles/coventry.json \
	profiles/enfield.json \
	profiles/southwark.json \
	profiles/hull.json
