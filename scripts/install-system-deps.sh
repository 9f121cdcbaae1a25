#!/usr/bin/env bash
# Debian packages the test suite uses: chromium (headless check of the HTML report) and fonts for it;
# for the `mailsim serve` interop tests (test/interop): python3 (smtplib, poplib, imaplib, mailbox),
# curl, swaks (with libnet-ssleay-perl, which its --tls needs and Debian only recommends), postfix for its smtp-sink / smtp-source test tools (installed with debconf's
# "No configuration", so no mail daemon is configured or started and nothing asks questions), and
# dovecot-imapd, whose IMAP server reads the Maildir tree serve writes (run by the test on stdin/stdout,
# never as a daemon: policy-rc.d or the missing init system keeps the service from starting);
# slurm-wlm and munge for the Slurm test (test/slurm), which starts a private one-node cluster with
# scripts/slurm/cluster.sh (installing starts no daemon here, for the same reason).
# For the fidelity suite (`npm run test:fidelity`, docs/fidelity.md): postfix again, run as a private
# instance under a temp dir, and dnsmasq-base — dnsmasq's binary alone, which the suite runs as the
# private DNS of that instance; the `dnsmasq` package would add a system service that starts on port 53.
# Installs only what is missing, so a warm machine spends no time here. Needs root (CI runs as root).
set -euo pipefail
packages=(chromium fonts-dejavu-core fonts-liberation python3 curl swaks libnet-ssleay-perl postfix dovecot-imapd slurm-wlm munge dnsmasq-base)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${packages[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
