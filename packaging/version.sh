#!/bin/sh
# version.sh prints the Debian version of the package built from the checkout it runs in, from git:
#
#   at a tag vX.Y.Z                    X.Y.Z
#   commits after the tag vX.Y.Z       X.Y.Z+gitYYYYMMDD.COMMIT
#   no tag yet                         0.0~gitYYYYMMDD.COMMIT
#
# YYYYMMDD is the date of the commit (UTC) and COMMIT its abbreviated hash. A tag's "-" becomes
# "~" (v1.2.0-rc1 gives 1.2.0~rc1), which dpkg sorts before the release, and a checkout with
# uncommitted changes gets "+dirty", so that its package is never taken for the commit's. The
# package is native (no Debian revision): its only source is this repository. Two builds of
# different commits on the same day compare by their hashes, not their order; a tag orders them.
set -eu

commit=$(git rev-parse --short=7 HEAD)
date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d HEAD)
if tag=$(git describe --tags --match 'v[0-9]*' --abbrev=0 HEAD 2>/dev/null); then
	version=$(printf '%s\n' "${tag#v}" | tr - '~')
	if [ "$(git rev-list --count "$tag..HEAD")" != 0 ]; then
		version="$version+git$date.$commit"
	fi
else
	version="0.0~git$date.$commit"
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	version="$version+dirty"
fi
echo "$version"
