#!/usr/bin/env bash
# deb.sh builds the Debian package of smc from this checkout into DIST (default dist), as
# DIST/smc_VERSION_ARCH.deb, and prints its path; make package runs it. What it holds:
#
#   /usr/bin/smcc, /usr/bin/smcd            built static (CGO_ENABLED=0: smcd must be, to drop its
#                                           capabilities on every thread), stripped (-s -w: the
#                                           stack traces of a panic keep their names) and with
#                                           -trimpath
#   /lib/systemd/system/smcd.service        the unit of cmd/smcd, running smcd --config /etc/smc/smcd.json
#   /usr/lib/sysusers.d/smc.conf            the smc user and group, which the postinst creates
#   /usr/share/man/man1/smcc.1.gz, man8/smcd.8.gz   written by the binaries (--man) from their help
#   /usr/share/doc/smc/                     the operator's documents, copyright, changelog.gz
#   /usr/share/lintian/overrides/smc        what lintian reports that is as it should be
#   /etc/smc/smcd.json, passthrough.json    conffiles: a configuration that passes every message
#                                           unchanged (packaging/etc/smc)
#
# The files are those of make install with PREFIX=/usr; the unit goes to /lib/systemd/system,
# where Debian 12's packages keep their units (systemd and deb-systemd-helper read both /lib and
# /usr/lib; Debian 13's packages use /usr/lib/systemd/system). The version
# is packaging/version.sh's. dpkg-deb, part of dpkg and so on every Debian system, builds the
# archive; nothing else is needed but Go, git, make and gzip. The binaries are run to write the
# manual pages, so the package is for the architecture of the machine that builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

dist=${1:-dist}
GO=${GO:-go}
MAKE=${MAKE:-make}
version=$(sh packaging/version.sh)
dpkg --validate-version "$version"
arch=$(dpkg --print-architecture)
# The maintainer is whoever builds the package: DEB_MAINTAINER, else git's user, else (a fresh
# clone without one) the author of the commit.
name=$(git config user.name || true)
email=$(git config user.email || true)
if [ -n "$name" ] && [ -n "$email" ]; then
	maintainer="$name <$email>"
else
	maintainer=$(git log -1 --format='%an <%ae>' HEAD)
fi
maintainer=${DEB_MAINTAINER:-$maintainer}
# The commit's time dates the changelog, the manual pages and every file in the archive, so that
# two builds of one commit make the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$work/bin" "$dist"

for cmd in smcc smcd; do
	CGO_ENABLED=0 $GO build -buildvcs=auto -trimpath -ldflags='-s -w' -o "$work/bin/$cmd" "./cmd/$cmd"
done
$MAKE --no-print-directory install BIN="$work/bin" DESTDIR="$root" PREFIX=/usr UNITDIR=/lib/systemd/system \
	DOCDIR=/usr/share/doc/smc MANDIR=/usr/share/man SMCD_ARGS='--config /etc/smc/smcd.json' >/dev/null

install -d -m 0755 "$root/etc/smc"
install -m 0644 packaging/etc/smc/smcd.json packaging/etc/smc/passthrough.json "$root/etc/smc/"
years=$(git log --format=%cd --date=format:%Y | sort -u | sed -n '1p;$p' | paste -sd- | sed 's/^\([0-9]*\)-\1$/\1/')
sed "s/@YEARS@/$years/" packaging/debian/copyright >"$root/usr/share/doc/smc/copyright"
chmod 0644 "$root/usr/share/doc/smc/copyright"
install -D -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/smc"
day=$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)
{
	printf 'smc (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built by make package from commit %s.\n\n' "$(git rev-parse HEAD)"
	printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$root/usr/share/doc/smc/changelog.gz"
# The pages name the package's version and the commit's day, which a binary built in a git
# worktree does not know (Go records no commit there).
for page in "$root/usr/share/man/man1/smcc.1" "$root/usr/share/man/man8/smcd.8"; do
	sed -i "1s/^\(\.TH \"[^\"]*\" [0-9]\) .*/\1 \"$day\" \"smc $version\" \"smc manual\"/" "$page"
	gzip -9n "$page"
done
chmod 0644 "$root/usr/share/doc/smc/changelog.gz"

mkdir -m 0755 "$root/DEBIAN"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
cat >"$root/DEBIAN/control" <<EOF
Package: smc
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: systemd | systemd-standalone-sysusers | systemd-sysusers
Section: net
Priority: optional
Description: SIP message manipulation on NFQUEUE
 smc rewrites SIP messages as they cross a Linux host: it fixes interop
 between vendors, blocks fraud and scanners, normalises numbers, and
 answers unwanted requests with a generated SIP response. Rules are SMC
 profiles (the JSON SIP Message Conversion rules of session border
 controllers), compiled ahead of time.
 .
 This package holds smcd, the daemon that runs the compiled chain on the
 packets the kernel queues to it (NFQUEUE), with its systemd unit and the
 smc system user it runs as; and smcc, which compiles, checks, runs and
 tests profiles offline.
EOF
chmod 0644 "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums" "$root/DEBIAN/control"

deb="$dist/smc_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
