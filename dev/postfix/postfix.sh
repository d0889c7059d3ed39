#!/usr/bin/env bash
# A throwaway Postfix (submission with STARTTLS, Dovecot SASL AUTH) on a
# loopback port, for tests and `make bench`: a real MTA beside the project's
# development server. Everything lives under one directory; nothing of the
# system's own mail configuration (/etc/postfix/main.cf, /etc/dovecot) is
# read or written, and no system service is started.
#
#   postfix.sh install
#       apt-get install postfix and dovecot-core when absent (root only). A
#       policy-rc.d written for the install keeps apt from starting the
#       system's own daemons; it is removed afterwards if it was not there.
#   postfix.sh start DIR PORT USER PASSWORD [deliver|discard]
#       DIR (absolute, created by the caller) holds key.pem and cert.pem
#       (the server's key and certificate chain). Submission listens on
#       127.0.0.1:PORT; USER/PASSWORD is the only account. Mail to
#       @example.com is delivered to the maildir DIR/mail/inbox (deliver, the
#       default) or accepted and dropped (discard); nosuchuser@example.com is
#       refused as an unknown user. Logs: DIR/maillog and DIR/dovecot.log.
#   postfix.sh stop DIR
#       kills both daemons of DIR (and their children) and waits for them.
#
# Exit status 3 means "cannot run here" (not root, no apt-get): callers skip.
set -euo pipefail

cannot() {
	echo "postfix.sh: $*" >&2
	exit 3
}

installed() { [ -x /usr/sbin/postfix ] && [ -x /usr/sbin/dovecot ]; }

install() {
	installed && return 0
	[ "$(id -u)" = 0 ] || cannot "Postfix is not installed and installing it needs root"
	command -v apt-get >/dev/null || cannot "Postfix is not installed and there is no apt-get"
	local rc=/usr/sbin/policy-rc.d made=
	if [ ! -e "$rc" ]; then
		# Debian's convention: exit 101 tells invoke-rc.d not to start
		# anything. The packages' postinst would otherwise start the
		# system's Postfix and Dovecot on ports 25 and 143.
		printf '#!/bin/sh\nexit 101\n' >"$rc"
		chmod 755 "$rc"
		made=1
	fi
	echo "postfix.sh: installing postfix and dovecot-core from Debian's packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	# "No configuration": the package leaves main.cf absent and asks nothing.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	local apt=(apt-get -o DPkg::Lock::Timeout=120 -y -q --no-install-recommends)
	if ! "${apt[@]}" install postfix dovecot-core >&2; then
		apt-get -o DPkg::Lock::Timeout=120 -q update >&2
		"${apt[@]}" install postfix dovecot-core >&2
	fi
	if [ -n "$made" ]; then rm -f "$rc"; fi
	installed || cannot "apt-get did not install postfix and dovecot"
}

start() {
	local dir=$1 port=$2 user=$3 password=$4 mode=${5:-deliver}
	[ "$(id -u)" = 0 ] || cannot "starting Postfix needs root"
	install
	case "$mode" in
	deliver) local transport=virtual ;;
	discard) local transport=discard ;;
	*) echo "postfix.sh: unknown mode $mode" >&2 && exit 2 ;;
	esac
	# Postfix's unprivileged daemons and Dovecot's auth must reach the
	# directory; the virtual delivery agent writes the maildir as nobody.
	chmod 755 "$dir"
	# Postfix's configuration in etc/, apart from its queue and from
	# Dovecot's sockets, so that its start-up check looks at its own files.
	mkdir -p "$dir/etc" "$dir/queue" "$dir/mail" "$dir/dovecot" "$dir/dovecot-state"
	chown nobody:nogroup "$dir/mail"
	chmod 600 "$dir/key.pem"

	cat >"$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.gmailsend.test
mydomain = gmailsend.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
syslog_name = gmailsend-postfix
alias_maps =
alias_database =
biff = no
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
smtpd_tls_chain_files = $dir/key.pem, $dir/cert.pem
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dir/auth
virtual_mailbox_domains = example.com
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = regexp:$dir/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_transport = $transport
EOF
	# Every address at example.com but one has a mailbox: the maildir inbox/.
	printf '!/^nosuchuser@example\\.com$/ inbox/\n' >"$dir/vmailbox"

	# Debian's master.cf with chroot off (nothing is set up in the queue
	# directory for a chroot) and the public smtp listener replaced by
	# submission on the loopback port: TLS before AUTH, AUTH before mail.
	{
		cat <<EOF
127.0.0.1:$port inet n - n - - smtpd
  -o syslog_name=gmailsend-postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
EOF
		awk '/^[a-z]/ && $2 != "inet" && $8 != "pipe" { $5 = "n"; print }' /etc/postfix/master.cf.proto
	} >"$dir/etc/master.cf"

	printf '%s:{PLAIN}%s::::::\n' "$user" "$password" >"$dir/users"
	chmod 640 "$dir/users"
	chgrp dovecot "$dir/users"
	cat >"$dir/dovecot.conf" <<EOF
base_dir = $dir/dovecot
state_dir = $dir/dovecot-state
instance_name = gmailsend-$port
log_path = $dir/dovecot.log
protocols =
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A refused password is answered at once (the default waits 2 s).
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail
}
service auth {
  unix_listener $dir/auth {
    mode = 0666
  }
}
EOF
	# The daemons must not hold the caller's output open: a caller reading
	# it to the end would wait for them.
	/usr/sbin/dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/dovecot.log" 2>&1
	# Postfix's start runs two checks: check-fatal creates the queue's
	# directories and is needed; check-warn looks for loose permissions all
	# over the fresh directory and takes seconds, so quick-start skips it.
	/usr/sbin/postfix -c "$dir/etc" check-fatal </dev/null >"$dir/start.log" 2>&1 &&
		touch "$dir/queue/quick-start" &&
		/usr/sbin/postfix -c "$dir/etc" start </dev/null >>"$dir/start.log" 2>&1 || {
		cat "$dir/start.log" >&2
		tail -20 "$dir/maillog" >&2 2>/dev/null || true
		stop "$dir"
		exit 1
	}
}

# ourpid prints the pid in pidfile $1 if that process is still this
# instance's (its command line names DIR $2, or it runs in DIR's queue, as
# Postfix's master does), so that a recycled pid is never signalled.
ourpid() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(tr -dc 0-9 <"$1")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$2" || [ "$(readlink "/proc/$pid/cwd")" = "$2/queue" ]; then
		echo "$pid"
	else
		return 1
	fi
}

stop() {
	local dir=$1 pid pids=()
	# Both daemons lead their own process group (their children are in
	# it). The instance is thrown away, so the groups are killed outright:
	# a graceful stop takes seconds.
	for f in "$dir/queue/pid/master.pid" "$dir/dovecot/master.pid"; do
		if pid=$(ourpid "$f" "$dir"); then
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	for _ in $(seq 100); do
		local alive=
		for pid in "${pids[@]}"; do
			# Gone, or a zombie left for init to reap.
			if [ -r "/proc/$pid/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" 2>/dev/null; then alive=1; fi
		done
		[ -z "$alive" ] && return 0
		sleep 0.05
	done
	echo "postfix.sh: processes ${pids[*]} of $dir did not exit" >&2
	return 1
}

case "${1:-}" in
install) install ;;
start)
	[ $# -ge 5 ] || { echo "usage: $0 start DIR PORT USER PASSWORD [deliver|discard]" >&2 && exit 2; }
	start "$2" "$3" "$4" "$5" "${6:-deliver}"
	;;
stop)
	[ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2 && exit 2; }
	stop "$2"
	;;
*)
	echo "usage: $0 install | start DIR PORT USER PASSWORD [deliver|discard] | stop DIR" >&2
	exit 2
	;;
esac
